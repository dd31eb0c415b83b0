import type { Ending, JobRecord, Outcome } from '../model.js';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;

/** Exponential backoff between attempts: 1 s, 2 s, 4 s … at most a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * A job that failed on its own (not stopped on request) with attempts left is tried again,
 * unless its ending says trying again cannot help; an unknown outcome only when its ending
 * says a retry is safe (a prompt whose daemon died mid-answer).
 */
export function shouldRetry(job: JobRecord, outcome: Outcome, ending: Ending): boolean {
  if (job.stopRequest !== null || job.attempt > job.retries || ending.retryable === false) {
    return false;
  }
  return outcome.status === 'failed' || (outcome.status === 'lost' && ending.retryable === true);
}
