import { join } from 'node:path';

import { appendBoundary } from '../../job-folder/run-files.js';
import type { JobStore } from '../../store/store.js';
import type { JobRecord, Outcome } from '../model.js';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;

/** Exponential backoff between attempts: 1 s, 2 s, 4 s … at most a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

/** A job that failed on its own (not stopped on request) with retries left is tried again. */
export function shouldRetry(job: JobRecord, outcome: Outcome): boolean {
  return outcome.status === 'failed' && job.stopRequest === null && job.attempt <= job.retries;
}

/**
 * Queues a failed job again for its next attempt, with the same id, after the backoff (or
 * DELAY_MS when the failure said how long to wait). A line between the attempts' output
 * keeps them apart. Returns the record as queued.
 */
export function requeue(
  store: JobStore,
  dir: string,
  job: JobRecord,
  outcome: Outcome,
  delayMs = retryDelayMs(job.attempt),
): JobRecord | undefined {
  const next = job.attempt + 1;
  const line = `[bgjobs] attempt ${job.attempt} failed (${outcome.reason}); attempt ${next} in ${(delayMs / 1000).toFixed(1)} s`;
  for (const stream of ['stdout', 'stderr']) appendBoundary(join(dir, stream), line);
  store.update(job.id, {
    status: 'queued',
    attempt: next,
    retryAt: Date.now() + delayMs,
    lastExitCode: outcome.exitCode,
    lastSignal: outcome.signal,
    reason: `attempt ${job.attempt} failed: ${outcome.reason}`,
    pid: null,
    pidStart: null,
    monitorPid: null,
    monitorStart: null,
  });
  return store.get(job.id);
}
