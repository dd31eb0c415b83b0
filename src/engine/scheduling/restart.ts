import type { ExitInfo, JobRecord } from '../model.js';

/** pm2's exponential backoff: the first restart after 100 ms, ×1.5 each time, 15 s at most. */
export const FIRST_DELAY_MS = 100;
export const BACKOFF_FACTOR = 1.5;
export const MAX_DELAY_MS = 15_000;
/** A run this long counts as stable: the backoff starts again from the first delay. */
export const STABLE_RUN_MS = 30_000;

export type RestartDecision =
  { restart: false; reason: string | null } | { restart: true; delayMs: number; unstable: boolean };

/**
 * Decides whether a service whose run just ended is started again, and after how long, with
 * pm2's rules: `on-failure` restarts only a failed run, `always` any run; listed exit codes mean
 * "done"; a run shorter than `min_uptime_s` counts toward `max_restarts`; the delay grows ×1.5
 * up to 15 s and resets after 30 s of stable running. A job stopped on request, or whose exit
 * status is unknown, is never restarted.
 */
export function decideRestart(
  job: JobRecord,
  exit: ExitInfo | undefined,
  now: number,
): RestartDecision {
  const spec = job.restart;
  if (spec === null || spec.policy === 'no' || job.stopRequest !== null || exit === undefined) {
    return { restart: false, reason: null };
  }
  if (exit.exitCode !== null && spec.stop_exit_codes.includes(exit.exitCode)) {
    return { restart: false, reason: null };
  }
  if (spec.policy === 'on-failure' && exit.exitCode === 0) return { restart: false, reason: null };
  const uptime = job.runStartedAt === null ? 0 : now - job.runStartedAt;
  const unstable = uptime < spec.min_uptime_s * 1000;
  if (unstable && job.unstableRestarts >= spec.max_restarts) {
    return {
      restart: false,
      reason: `gave up after ${job.unstableRestarts} restarts of runs shorter than ${spec.min_uptime_s} s (max_restarts ${spec.max_restarts})`,
    };
  }
  const delayMs =
    uptime >= STABLE_RUN_MS || job.restartDelayMs === 0
      ? FIRST_DELAY_MS
      : Math.min(MAX_DELAY_MS, Math.round(job.restartDelayMs * BACKOFF_FACTOR));
  return { restart: true, delayMs, unstable };
}
