// Figure 1: `execute` over a real MCP stdio client, and how soon after it the job's command runs.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import { executeOutputSchema, outputOutputSchema, waitOutputSchema } from '../jobs/api.js';
import { cleanupHome, makeHome } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize, wallNowMs } from './stats.js';

const WARMUP = 5;
const CALLS = 60;
// Prints the realtime clock in ns the moment the job's command runs.
const CLOCK_COMMAND = 'date +%s%N';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

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
 */
export async function measureExecute(): Promise<Figure[]> {
  const bench = makeHome('execute');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: bench.env,
    cwd: bench.home,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bgjobs-bench', version: '0.0.0' });
  try {
    await client.connect(transport);
    for (let i = 0; i < WARMUP; i++) await execute(client);
    const samples: Sample[] = [];
    for (let i = 0; i < CALLS; i++) samples.push(await execute(client));
    const pings = await pingRoundTrips(client);
    const startLatencies = await startLatenciesOf(client, samples);
    const directStarts = await directStartLatencies();

    const rtt = summarize(samples.map((s) => s.roundTripMs));
    const start = summarize(startLatencies);
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
        label: 'execute → job command running',
        value: start.p50,
        unit: 'ms',
        baseline: { label: 'node spawn sh -c', value: median(directStarts) },
        target: { kind: 'max', limit: 20, on: 'value' },
        details: describeSummary(start),
      },
    ];
  } finally {
    await client.close().catch(() => undefined);
    await cleanupHome(bench);
  }
}

async function execute(client: Client): Promise<Sample> {
  const sentAt = wallNowMs();
  const began = performance.now();
  const result = await client.callTool({ name: 'execute', arguments: { command: CLOCK_COMMAND } });
  const roundTripMs = performance.now() - began;
  const job = executeOutputSchema.parse(structured(result, 'execute'));
  return { jobId: job.job_id, sentAt, roundTripMs };
}

async function pingRoundTrips(client: Client): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const began = performance.now();
    await client.ping();
    if (i >= WARMUP) times.push(performance.now() - began);
  }
  return times;
}

async function startLatenciesOf(client: Client, samples: readonly Sample[]): Promise<number[]> {
  const waited = waitOutputSchema.parse(
    structured(
      await client.callTool({
        name: 'wait',
        arguments: { job_ids: samples.map((s) => s.jobId), timeout_s: 30 },
      }),
      'wait',
    ),
  );
  if (!waited.done) throw new Error('bench: the `date` jobs did not end within 30 s');
  const latencies: number[] = [];
  for (const sample of samples) {
    const output = outputOutputSchema.parse(
      structured(
        await client.callTool({
          name: 'output',
          arguments: { job_id: sample.jobId, stream: 'stdout' },
        }),
        'output',
      ),
    );
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

function nsToMs(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{19}$/.test(trimmed))
    throw new Error(`bench: expected date +%s%N, got ${JSON.stringify(text)}`);
  // Split so the ns count never passes through a double (2^53 ns is only ~104 days).
  return Number(trimmed.slice(0, 13)) + Number(trimmed.slice(13)) / 1e6;
}

function structured(result: CallToolResult, tool: string): unknown {
  if (result.isError) {
    const text = result.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('\n');
    throw new Error(`bench: ${tool} failed: ${text}`);
  }
  return result.structuredContent;
}
