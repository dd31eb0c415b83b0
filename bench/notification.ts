// Notification latency: from a job's exit to a subscribed MCP client (stdio) hearing
// `notifications/resources/updated` for `bgjobs://jobs/{id}`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Client } from '@modelcontextprotocol/client';

import type { DaemonClient } from '../src/daemon/client.js';
import { executeOutputSchema } from '../src/api/start.js';
import { structured } from './execute-latency.js';
import { mcpClient } from './mcp-client.js';
import type { BenchHome } from './home.js';
import { latencyFigure, type Figure } from './report.js';
import { median, nsToMs, wallNowMs } from './stats.js';

const WARMUP = 3;
const RUNS = 40;
const TIMEOUT_MS = 10_000;

/**
 * Spawns `node dist/cli.js mcp` (a real `Client` over stdio) against the home's running daemon,
 * subscribes to `bgjobs://jobs` and waits until a job start is reported (the server's watch of
 * the daemon is then live). Then RUNS times (after WARMUP): start a job that blocks on `read`,
 * subscribe to its `bgjobs://jobs/{id}`, release it with `interact`; its last act is
 * `date +%s%N > file; exit 0`, so the file holds its exit instant to within the `date` process's
 * own exit. The notification handler takes the wall clock as each update arrives; the latency is
 * the first update for that URI at or after the job's instant, minus the instant.
 *
 * Breakdown: the daemon's `ended_at` (whole milliseconds) splits the latency into the daemon
 * noticing the exit and the update travelling daemon → `bgjobs mcp` → client.
 */
export async function measureNotification(
  daemon: DaemonClient,
  bench: BenchHome,
): Promise<Figure[]> {
  const { client, transport } = mcpClient(bench);
  const arrivals = new Map<string, number[]>();
  let wake: (() => void) | undefined;
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    const at = wallNowMs();
    const list = arrivals.get(notification.params.uri) ?? [];
    list.push(at);
    arrivals.set(notification.params.uri, list);
    wake?.();
  });
  // Resolves at the next update (or after 50 ms, to look at the clock file again).
  const nextUpdate = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      setTimeout(resolve, 50).unref();
    });

  try {
    await client.connect(transport);
    await client.subscribeResource({ uri: 'bgjobs://jobs' });
    const liveBy = performance.now() + TIMEOUT_MS;
    while ((arrivals.get('bgjobs://jobs') ?? []).length === 0) {
      if (performance.now() > liveBy) throw new Error('bench: the MCP server never reported a job');
      await execute(client, 'true');
      await nextUpdate();
    }

    const total: number[] = [];
    const toRecorded: number[] = [];
    const recordedToClient: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const file = join(bench.home, `exit-${i}`);
      const jobId = await execute(client, `read x; date +%s%N > '${file}'; exit 0`);
      const uri = `bgjobs://jobs/${jobId}`;
      await client.subscribeResource({ uri });
      await client.callTool({
        name: 'interact',
        arguments: { job_id: jobId, input: 'go', timeout_s: 0 },
      });
      const deadline = performance.now() + TIMEOUT_MS;
      let sample: { exitedAt: number; heardAt: number } | undefined;
      while (!sample) {
        if (performance.now() > deadline) throw new Error(`bench: no update for ${uri}`);
        const exitedAt = readClock(file);
        const heardAt =
          exitedAt === undefined
            ? undefined
            : (arrivals.get(uri) ?? []).find((at) => at >= exitedAt);
        if (exitedAt !== undefined && heardAt !== undefined) sample = { exitedAt, heardAt };
        else await nextUpdate();
      }
      await client.unsubscribeResource({ uri });
      const status = await daemon.status({ job_id: jobId });
      if (status.status !== 'completed' || status.ended_at === null) {
        throw new Error(`bench: job ${jobId} is ${status.status} after its update`);
      }
      if (i < WARMUP) continue;
      const recordedAt = Date.parse(status.ended_at);
      total.push(sample.heardAt - sample.exitedAt);
      toRecorded.push(recordedAt - sample.exitedAt);
      recordedToClient.push(sample.heardAt - recordedAt);
    }

    return [
      latencyFigure({
        id: 'notify_exit_to_update_ms',
        label: 'job exit → resources/updated at the client (MCP stdio)',
        samples: total,
        limitMs: 50,
        note: `median exit → ended_at ${median(toRecorded).toFixed(1)} ms, ended_at → client ${median(recordedToClient).toFixed(1)} ms (ended_at in whole ms)`,
      }),
    ];
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function execute(client: Client, command: string): Promise<string> {
  const result = await client.callTool({ name: 'execute', arguments: { command } });
  return executeOutputSchema.parse(structured(result, 'execute')).job_id;
}

/** The job's exit instant from its file, once `date` has written it whole. */
function readClock(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return /^\d{19}\n$/.test(text) ? nsToMs(text) : undefined;
}
