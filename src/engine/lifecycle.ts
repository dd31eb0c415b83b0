import type { JobStore } from '../store/store.js';
import type { RunStart } from './events.js';
import { decideOutcome, type Ending, type JobRecord } from './model.js';
import type { RunnerHost } from './runners/runner.js';
import { decideRestart } from './scheduling/restart.js';
import { retryDelayMs, shouldRetry } from './scheduling/retry.js';
import type { Transitions } from './transitions.js';

/**
 * Decides what follows the end of a run, for every kind of job: a service's next run after
 * its backoff, a retry of a failed job with attempts left, or the job's end with its outcome
 * (the first reason wins). Runners report here; only the transitions module writes.
 */
export class Lifecycle implements RunnerHost {
  private readonly store: JobStore;
  private readonly transitions: Transitions;
  private readonly wake: (afterMs: number) => void;

  /** WAKE asks the queue to look again after that many milliseconds (a retry's backoff). */
  constructor(store: JobStore, transitions: Transitions, wake: (afterMs: number) => void) {
    this.store = store;
    this.transitions = transitions;
    this.wake = wake;
  }

  started(id: string, run?: RunStart): void {
    this.transitions.started(id, run);
  }

  ready(id: string, state: 'ready' | 'failed', match: string): void {
    const job = this.store.get(id);
    if (job?.status !== 'running' || job.readyState !== 'pending') return;
    this.transitions.ready(id, state, match);
  }

  runEnded(reported: JobRecord, ending: Ending): { restartInMs: number } | null {
    const job = this.store.get(reported.id) ?? reported;
    if (ending.notStarted && job.stopRequest === null) {
      this.transitions.requeue(job, ending.how ?? 'its start was cut');
      this.wake(0);
      return null;
    }
    const restart =
      ending.exit === undefined || ending.failed
        ? undefined
        : decideRestart(job, ending.exit, Date.now());
    if (restart?.restart && ending.exit) {
      this.transitions.runEnded(job, { exit: ending.exit, ...restart });
      return { restartInMs: restart.delayMs };
    }
    const decided = decideOutcome(ending, job.stopRequest);
    const gaveUp = restart?.restart === false ? restart.reason : null;
    const outcome =
      gaveUp === null ? decided : { ...decided, reason: `${decided.reason}; ${gaveUp}` };
    if (shouldRetry(job, outcome, ending)) {
      const delayMs = ending.retryAfterMs ?? retryDelayMs(job.attempt);
      this.transitions.retry(job, outcome, delayMs);
      this.wake(delayMs);
      return null;
    }
    this.transitions.end(job.id, outcome, ending.recorded);
    return null;
  }
}
