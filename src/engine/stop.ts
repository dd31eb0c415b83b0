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
  if (fresh.stopRequest === null) deps.store.update(job.id, { stopRequest });
  if (fresh.status === 'queued') {
    deps.transitions.end(job.id, decideOutcome({ how: 'before it started' }, stopRequest));
    return { escalated: false };
  }
  return deps.runners[fresh.kind].stop({ ...fresh, stopRequest }, signal, graceMs);
}
