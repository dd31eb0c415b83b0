// Figure 1: `execute` over a real MCP stdio client, and how soon after it the job's command runs.
import { setTimeout as delay } from 'node:timers/promises';

import type { CallToolResult } from '@modelcontextprotocol/client';

import { connect } from '../src/daemon/client.js';
import { stopDaemon } from '../src/daemon/lifecycle.js';
import type { JobsApi } from '../src/api/contract.js';
import { executeOutputSchema, type ExecuteResult } from '../src/api/start.js';
import type { Config } from '../src/config.js';
import { Engine } from '../src/engine/engine.js';
import { cleanupHome, makeHome, type BenchHome } from './home.js';
import { directStartLatencies, nodeSpawnTrue, shellForkExec } from './fork-exec.js';
import { bareSocketRoundTrips } from './socket-baseline.js';
import { mcpClient } from './mcp-client.js';
import type { Figure } from './report.js';
import { describeSummary, median, nsToMs, summarize, wallNowMs } from './stats.js';

const WARMUP = 5;
const CALLS = 60;
// An agent's calls are a model turn apart; this leaves spares the time to be made again.
const PACE_MS = 150;
// Prints the realtime clock in ns the moment the job's command runs.
const CLOCK_COMMAND = 'date +%s%N';

interface Sample {
  jobId: string;
  /** Wall clock (ms) just before the request was sent. */
  sentAt: number;
  roundTripMs: number;
}

/**
 * Spawns `node dist/cli.js mcp` in a fresh home (it starts the daemon on demand) and calls
 * `execute` over stdio CALLS times, one after another.
 *
 * Round trip: from just before `callTool` to its result, as a model's client would see it.
 *
 * Start latency: each job runs `date +%s%N`, so its stdout says when the command actually ran
 * (after monitor, setsid, env and `sh -c` have started). That is compared with the wall clock
 * taken just before the request. /proc start times would be simpler but tick at 10 ms, too
 * coarse against a 20 ms target. Both clocks are the machine's realtime clock.
 *
 * Calls are PACE_MS apart, as an agent's are (a model turn lies between two calls), so spare
 * monitors are ready again; the same calls back to back, draining the spares, are shown too.
 *
 * Baselines, in the same run: an MCP `ping` over the same stdio pipe (protocol cost without
 * bgjobs); a plain fork+exec of `sh -c true` by a shell (the target's baseline); Node spawning
 * `sh -c true` until it has exited; and Node spawning `sh -c 'date +%s%N'` up to the moment
 * `date` runs (the least a start measured as the jobs are can cost here).
 *
 * Then, to show where the time goes, the same calls through the daemon's socket client (no
 * MCP) and on an in-process Engine (no socket, no MCP) opened on the same home, with spare
 * monitors and without (BGJOBS_SPARE_MONITORS=0: every start spawns its monitor).
 */
export async function measureExecute(): Promise<Figure[]> {
  const bench = makeHome('execute');
  try {
    const { mcp, burst, pings } = await overMcp(bench);
    const client = await connect(bench.config, { autoStart: false });
    let socket: Sample[];
    let mcpStarts: number[];
    let burstStarts: number[];
    try {
      socket = await sample((command) => client.execute({ command }), PACE_MS);
      mcpStarts = await startLatencies(client, mcp);
      burstStarts = await startLatencies(client, burst);
    } finally {
      client.close();
    }
    const spared = await inProcess(bench, bench.config);
    const spawned = await inProcess(bench, { ...bench.config, spareMonitors: 0 });
    const directStarts = await directStartLatencies();
    const forkExec = median(await shellForkExec());
    const nodeSpawn = median(await nodeSpawnTrue());
    const bareSocket = summarize(await bareSocketRoundTrips(PACE_MS));

    const rtt = summarize(mcp.map((s) => s.roundTripMs));
    const start = summarize(mcpStarts);
    const burstRtt = summarize(burst.map((s) => s.roundTripMs));
    const burstStart = summarize(burstStarts);
    const socketRtt = summarize(socket.map((s) => s.roundTripMs));
    const forkExecBaseline = { label: 'sh fork+exec sh -c true', value: forkExec };
    return [
      {
        id: 'execute_rtt_ms',
        label: 'execute round trip (MCP stdio)',
        value: rtt.p50,
        unit: 'ms',
        baseline: { label: 'MCP ping', value: median(pings) },
        target: { kind: 'max', limit: 4, on: 'value' },
        details: describeSummary(rtt),
      },
      {
        id: 'execute_to_running_ms',
        label: 'execute → job command running (MCP stdio)',
        value: start.p50,
        unit: 'ms',
        baseline: forkExecBaseline,
        target: { kind: 'max', limit: 1.3, on: 'ratio' },
        details: describeSummary(start),
      },
      {
        id: 'fork_exec_node_ms',
        label: '  baseline: node spawn sh -c true, to its exit',
        value: nodeSpawn,
        unit: 'ms',
        baseline: forkExecBaseline,
      },
      {
        id: 'fork_exec_node_date_ms',
        label: '  baseline: node spawn sh -c date, to date running',
        value: median(directStarts),
        unit: 'ms',
        baseline: forkExecBaseline,
      },
      {
        id: 'execute_rtt_burst_ms',
        label: '  execute round trip, back to back (spares drained)',
        value: burstRtt.p50,
        unit: 'ms',
        details: describeSummary(burstRtt),
      },
      {
        id: 'execute_to_running_burst_ms',
        label: '  execute → running, back to back (spares drained)',
        value: burstStart.p50,
        unit: 'ms',
        baseline: forkExecBaseline,
        details: describeSummary(burstStart),
      },
      {
        id: 'execute_rtt_socket_ms',
        label: '  breakdown: execute round trip (daemon socket)',
        value: socketRtt.p50,
        unit: 'ms',
        details: describeSummary(socketRtt),
      },
      {
        id: 'socket_rtt_bare_ms',
        label: '  baseline: a bare Node request and answer over a Unix socket',
        value: bareSocket.p50,
        unit: 'ms',
        details: describeSummary(bareSocket),
      },
      ...engineFigures('', spared, forkExecBaseline),
      ...engineFigures('_no_spares', spawned, forkExecBaseline),
    ];
  } finally {
    await cleanupHome(bench);
  }
}

/** The in-process engine's figures: round trip and start, with spares or (SUFFIX) without. */
function engineFigures(
  suffix: string,
  { engine, engineStarts }: { engine: Sample[]; engineStarts: number[] },
  baseline: { label: string; value: number },
): Figure[] {
  const how = suffix === '' ? 'engine in bench' : 'engine in bench, no spares';
  const rtt = summarize(engine.map((s) => s.roundTripMs));
  const start = summarize(engineStarts);
  return [
    {
      id: `execute_rtt_engine${suffix}_ms`,
      label: `  breakdown: execute (${how})`,
      value: rtt.p50,
      unit: 'ms',
      details: describeSummary(rtt),
    },
    {
      id: `execute_to_running_engine${suffix}_ms`,
      label: `  breakdown: execute → running (${how})`,
      value: start.p50,
      unit: 'ms',
      baseline,
      details: describeSummary(start),
    },
  ];
}

async function overMcp(
  bench: BenchHome,
): Promise<{ mcp: Sample[]; burst: Sample[]; pings: number[] }> {
  const { client, transport } = mcpClient(bench);
  try {
    await client.connect(transport);
    const execute = async (command: string): Promise<ExecuteResult> => {
      const result = await client.callTool({ name: 'execute', arguments: { command } });
      return executeOutputSchema.parse(structured(result, 'execute'));
    };
    const mcp = await sample(execute, PACE_MS);
    const burst = await sample(execute, 0);
    const pings: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const began = performance.now();
      await client.ping();
      if (i >= WARMUP) pings.push(performance.now() - began);
    }
    return { mcp, burst, pings };
  } finally {
    // Ends `bgjobs mcp`; the daemon it started stays for the next steps.
    await client.close().catch(() => undefined);
  }
}

async function inProcess(
  bench: BenchHome,
  config: Config,
): Promise<{ engine: Sample[]; engineStarts: number[] }> {
  await stopDaemon(bench.config);
  const engine = await Engine.open(config);
  try {
    // The jobs inherit this caller's environment, which carries BGJOBS_HOME for the cleanup.
    const caller = { cwd: bench.home, env: bench.env };
    const samples = await sample((command) => engine.execute({ command }, { caller }), PACE_MS);
    return { engine: samples, engineStarts: await startLatencies(engine, samples) };
  } finally {
    await engine.close();
  }
}

/** WARMUP calls, then CALLS timed calls of EXECUTE, one after another, GAP_MS apart. */
async function sample(
  execute: (command: string) => Promise<ExecuteResult>,
  gapMs: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    if (gapMs > 0) await delay(gapMs);
    const sentAt = wallNowMs();
    const began = performance.now();
    const job = await execute(CLOCK_COMMAND);
    const roundTripMs = performance.now() - began;
    if (job.status !== 'running' && job.status !== 'completed') {
      throw new Error(`bench: execute gave ${job.job_id} status ${job.status}`);
    }
    if (i >= WARMUP) samples.push({ jobId: job.job_id, sentAt, roundTripMs });
  }
  return samples;
}

/** When each sample's `date` ran, from its stdout, minus when its request was sent. */
async function startLatencies(api: JobsApi, samples: readonly Sample[]): Promise<number[]> {
  const waited = await api.wait({ job_ids: samples.map((s) => s.jobId), timeout_s: 30 });
  if (!waited.done) throw new Error('bench: the `date` jobs did not end within 30 s');
  const latencies: number[] = [];
  for (const sample of samples) {
    const output = await api.output({ job_id: sample.jobId, stream: 'stdout' });
    latencies.push(nsToMs(output.stdout) - sample.sentAt);
  }
  return latencies;
}

/** A tool result's structured content; an `isError` result throws with its text. */
export function structured(result: CallToolResult, tool: string): unknown {
  if (result.isError) {
    const text = result.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('\n');
    throw new Error(`bench: ${tool} failed: ${text}`);
  }
  return result.structuredContent;
}
