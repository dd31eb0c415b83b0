// The soak's end: every job brought to an end, then each one's status, exit code and output
// checked against what it was made to produce.
import { setTimeout as delay } from 'node:timers/promises';

import { isFinal } from '../src/api/job-status.js';
import type { StatusResult } from '../src/api/listing.js';
import type { DaemonClient } from '../src/daemon/client.js';
import { persist } from './soak-chaos.js';
import type { SoakContext, Tracked } from './soak-jobs.js';

const SETTLE_TIMEOUT_MS = 120_000;
const BATCH = 20;

export interface Verdict {
  /** Jobs whose status or exit code is not what they were made to end with (or `lost`). */
  exitLost: number;
  /** Stdout bytes missing against what the job wrote (below the output cap). */
  bytesLost: number;
  /** Jobs whose output lacks the text they printed. */
  outputWrong: number;
  /** Prompts that failed while a daemon kill fell in their life: a kill may cost these. */
  promptsCutByKill: number;
  /** One line per job that missed, for the reader. */
  problems: string[];
}

/** Kills what runs forever (expecting `killed`), then waits until every job has ended. */
export async function settle(client: DaemonClient, jobs: readonly Tracked[]): Promise<void> {
  const endless = jobs.filter((job) => job.expect.status === 'killed');
  await inBatches(endless, async (job) => {
    await persist(() => client.kill({ job_id: job.jobId, signal: 'SIGTERM', grace_s: 2 }));
  });
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let open = [...jobs];
  while (open.length > 0 && performance.now() < deadline) {
    const still: Tracked[] = [];
    await inBatches(open, async (job) => {
      const status = await persist(() => client.status({ job_id: job.jobId }));
      if (!isFinal(status.status)) still.push(job);
    });
    open = still;
    if (open.length > 0) await delay(500);
  }
}

/** Checks every job against its expectation. */
export async function check(
  client: DaemonClient,
  jobs: readonly Tracked[],
  ctx: Pick<SoakContext, 'killer' | 'cutStarts'>,
  outputCap: number,
): Promise<Verdict> {
  const verdict: Verdict = {
    exitLost: 0,
    bytesLost: 0,
    outputWrong: 0,
    promptsCutByKill: 0,
    problems: [],
  };
  await inBatches(jobs, async (job) => {
    const status = await persist(() => client.status({ job_id: job.jobId }));
    // ended_at is wall-clock time; the kills are on performance.now()'s clock.
    const endedAt = status.ended_at
      ? performance.now() - (Date.now() - Date.parse(status.ended_at))
      : performance.now();
    const exitOk = exitMatches(job, status);
    if (!exitOk && job.kind === 'prompt' && ctx.killer.killedBetween(job.startedAt, endedAt)) {
      verdict.promptsCutByKill += 1;
      return;
    }
    if (!exitOk) {
      verdict.exitLost += 1;
      verdict.problems.push(
        `${job.kind} ${job.jobId} (${job.name}): expected ${job.expect.status}` +
          `${job.expect.exitCode === undefined ? '' : ` exit ${job.expect.exitCode}`}` +
          `, got ${status.status} exit ${String(status.exit_code)} signal ${String(status.signal)}` +
          ` reason ${JSON.stringify(status.reason)} runs ${status.runs}` +
          (ctx.cutStarts.has(job.jobId) ? ' — a kill cut the reply to its start' : ''),
      );
    }
    const want = job.expect.stdoutBytes;
    if (want !== undefined) {
      const lost = await bytesMissing(client, job.jobId, want, Math.min(want, outputCap));
      if (lost > 0) {
        verdict.bytesLost += lost;
        verdict.problems.push(
          `${job.kind} ${job.jobId}: wrote ${want} bytes, ${lost} missing (status says ${status.stdout.bytes})`,
        );
      }
    }
    const has = job.expect.stdoutHas;
    if (has !== undefined) {
      const out = await persist(() => client.output({ job_id: job.jobId, max_bytes: 65_536 }));
      if (!out.stdout.includes(has)) {
        verdict.outputWrong += 1;
        verdict.problems.push(
          `${job.kind} ${job.jobId}: stdout lacks ${JSON.stringify(has.slice(0, 40))}, ` +
            `got ${JSON.stringify(out.stdout.slice(0, 120))}`,
        );
      }
    }
  });
  return verdict;
}

function exitMatches(job: Tracked, status: StatusResult): boolean {
  if (status.status !== job.expect.status) return false;
  if (job.expect.exitCode !== undefined && status.exit_code !== job.expect.exitCode) return false;
  if (job.expect.runs !== undefined && status.runs !== job.expect.runs) return false;
  return true;
}

/**
 * Bytes of `wrote` the job's stdout is missing: the size it reports, and the last 16 bytes
 * read back at their offset (each `x`), so a count kept without the bytes does not pass.
 */
async function bytesMissing(
  client: DaemonClient,
  jobId: string,
  wrote: number,
  kept: number,
): Promise<number> {
  const tail = Math.min(16, wrote);
  const out = await persist(() =>
    client.output({ job_id: jobId, stdout_offset: wrote - tail, max_bytes: 4096, raw: true }),
  );
  const stats = await persist(() => client.status({ job_id: jobId }));
  const stored = stats.stdout.bytes - stats.stdout.dropped;
  const short = Math.max(0, wrote - stats.stdout.bytes, kept - stored);
  if (short > 0) return short;
  return out.stdout === 'x'.repeat(tail) ? 0 : tail;
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    await Promise.all(items.slice(i, i + BATCH).map(each));
  }
}
