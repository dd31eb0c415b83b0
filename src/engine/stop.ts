import { isFinal } from '../api/job.js';
import type { JobStore } from '../store/store.js';
import { decideOutcome, type JobRecord } from './model.js';
import type { Runners } from './scheduling/queue.js';
import type { Transitions } from './transitions.js';

export type StopReason = NonNullable<JobRecord['stopRequest']>;

export interface StopDeps {
  store: JobStore;
  transitions: Transitions;
  runners: Runners;
}

/**
 * Stops a live job for REASON, whatever its kind: the reason is recorded first (the first one
 * wins), a queued job ends without running, a running one is stopped by its runner — a
 * command's whole process tree signalled, a prompt's request aborted.
 */
export async function stopJob(
  deps: StopDeps,
  job: JobRecord,
  reason: StopReason,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<{ escalated: boolean }> {
  const fresh = deps.store.get(job.id) ?? job;
  if (isFinal(fresh.status)) return { escalated: false };
  const stopRequest = fresh.stopRequest ?? reason;
  // Recorded before any signal: a daemon that dies during the grace leaves the intent behind.
  if (fresh.stopRequest === null || fresh.stopDeadline === null) {
    deps.store.update(job.id, { stopRequest, stopDeadline: Date.now() + graceMs });
  }
  if (fresh.status === 'queued') {
    deps.transitions.end(job.id, decideOutcome({ how: 'before it started' }, stopRequest));
    return { escalated: false };
  }
  return deps.runners[fresh.kind].stop({ ...fresh, stopRequest }, signal, graceMs);
}

/**
 * Finishes the stops a previous daemon left under way: each running job with a stop request is
 * signalled again and killed once its recorded grace has passed (at once if it has).
 */
export function resumeStops(
  deps: StopDeps,
  signal: NodeJS.Signals,
  defaultGraceMs: number,
): Promise<unknown>[] {
  return deps.store
    .withStatus(['running'])
    .filter((job) => job.stopRequest !== null)
    .map((job) => {
      const graceMs = Math.max(0, (job.stopDeadline ?? Date.now() + defaultGraceMs) - Date.now());
      return stopJob(deps, job, job.stopRequest ?? 'kill', signal, graceMs).catch(
        (error: unknown) =>
          process.emitWarning(
            `bgjobs: finishing the stop of job ${job.id} failed: ${String(error)}`,
          ),
      );
    });
}
