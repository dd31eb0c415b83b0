// Figure 1: `execute` over a real MCP stdio client, and how soon after it the job's command runs.
import { spawn } from 'node:child_process';

import type { CallToolResult } from '@modelcontextprotocol/client';

import { connect } from '../src/daemon/client.js';
import { stopDaemon } from '../src/daemon/lifecycle.js';
import type { JobsApi } from '../src/api/contract.js';
import { executeOutputSchema, type ExecuteResult } from '../src/api/start.js';
import { Engine } from '../src/engine/engine.js';
import { cleanupHome, makeHome, type BenchHome } from './home.js';
import { mcpClient } from './mcp-client.js';
import type { Figure } from './report.js';
import { describeSummary, median, nsToMs, summarize, wallNowMs } from './stats.js';

const WARMUP = 5;
const CALLS = 60;
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
 * Baselines: an MCP `ping` over the same stdio pipe (protocol cost without bgjobs), and Node
 * spawning `/bin/sh -c 'date +%s%N'` directly (the least any start can cost here).
 *
 * Then, to show where the time goes, the same calls through the daemon's socket client (no
 * MCP) and on an in-process Engine (no socket, no MCP) opened on the same home.
 */
export async function measureExecute(): Promise<Figure[]> {
  const bench = makeHome('execute');
  try {
    const { mcp, pings } = await overMcp(bench);
    const client = await connect(bench.config, { autoStart: false });
    let socket: Sample[];
    let mcpStarts: number[];
    try {
      socket = await sample((command) => client.execute({ command }));
      mcpStarts = await startLatencies(client, mcp);
    } finally {
      client.close();
    }
    const { engine, engineStarts } = await inProcess(bench);
    const directStarts = await directStartLatencies();

    const rtt = summarize(mcp.map((s) => s.roundTripMs));
    const start = summarize(mcpStarts);
    const socketRtt = summarize(socket.map((s) => s.roundTripMs));
    const engineRtt = summarize(engine.map((s) => s.roundTripMs));
    const engineStart = summarize(engineStarts);
    return [
      {
        id: 'execute_rtt_ms',
        label: 'execute round trip (MCP stdio)',
        value: rtt.p50,
        unit: 'ms',
        baseline: { label: 'MCP ping', value: median(pings) },
        target: { kind: 'max', limit: 20, on: 'value' },
        details: describeSummary(rtt),
      },
      {
        id: 'execute_to_running_ms',
        label: 'execute → job command running (MCP stdio)',
        value: start.p50,
        unit: 'ms',
        baseline: { label: 'node spawn sh -c', value: median(directStarts) },
        target: { kind: 'max', limit: 20, on: 'value' },
        details: describeSummary(start),
      },
      {
        id: 'execute_rtt_socket_ms',
        label: '  breakdown: execute round trip (daemon socket)',
        value: socketRtt.p50,
        unit: 'ms',
        details: describeSummary(socketRtt),
      },
      {
        id: 'execute_rtt_engine_ms',
        label: '  breakdown: execute (engine in the bench process)',
        value: engineRtt.p50,
        unit: 'ms',
        details: describeSummary(engineRtt),
      },
      {
        id: 'execute_to_running_engine_ms',
        label: '  breakdown: execute → running (engine in bench)',
        value: engineStart.p50,
        unit: 'ms',
        baseline: { label: 'node spawn sh -c', value: median(directStarts) },
        details: describeSummary(engineStart),
      },
    ];
  } finally {
    await cleanupHome(bench);
  }
}

async function overMcp(bench: BenchHome): Promise<{ mcp: Sample[]; pings: number[] }> {
  const { client, transport } = mcpClient(bench);
  try {
    await client.connect(transport);
    const mcp = await sample(async (command) => {
      const result = await client.callTool({ name: 'execute', arguments: { command } });
      return executeOutputSchema.parse(structured(result, 'execute'));
    });
    const pings: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const began = performance.now();
      await client.ping();
      if (i >= WARMUP) pings.push(performance.now() - began);
    }
    return { mcp, pings };
  } finally {
    // Ends `bgjobs mcp`; the daemon it started stays for the next steps.
    await client.close().catch(() => undefined);
  }
}

async function inProcess(bench: BenchHome): Promise<{ engine: Sample[]; engineStarts: number[] }> {
  await stopDaemon(bench.config);
  const engine = await Engine.open(bench.config);
  try {
    // The jobs inherit this caller's environment, which carries BGJOBS_HOME for the cleanup.
    const caller = { cwd: bench.home, env: bench.env };
    const samples = await sample((command) => engine.execute({ command }, { caller }));
    return { engine: samples, engineStarts: await startLatencies(engine, samples) };
  } finally {
    await engine.close();
  }
}

/** WARMUP calls, then CALLS timed calls of EXECUTE, one after another. */
async function sample(execute: (command: string) => Promise<ExecuteResult>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
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

async function directStartLatencies(): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const sentAt = wallNowMs();
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', CLOCK_COMMAND], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (text += chunk));
      child.once('error', reject);
      child.once('close', () => resolve(text));
    });
    if (i >= WARMUP) latencies.push(nsToMs(stdout) - sentAt);
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
