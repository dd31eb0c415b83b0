import { isFinal } from '../../api/job.js';
import type { JobStore, QueuedJob } from '../../store/store.js';
import type { JobRecord } from '../model.js';
import type { Runner } from '../runners/runner.js';
import type { Transitions } from '../transitions.js';

/** The runner of each kind of job. */
export type Runners = Readonly<Record<JobRecord['kind'], Runner>>;

type Readiness = { ok: true } | { ok: false; waiting: true } | { ok: false; failed: string };

/**
 * The queue: starts queued jobs while their kind has free slots — highest priority first, then
 * oldest — once every job they come `after` has completed. A job whose dependency ended any
 * other way fails without running. Turns are serialised, so a burst of requests never starts
 * more than a limit allows.
 */
export class Queue {
  private turn: Promise<void> = Promise.resolve();
  private readonly store: JobStore;
  private readonly runners: Runners;
  private readonly transitions: Transitions;
  closed = false;

  constructor(store: JobStore, runners: Runners, transitions: Transitions) {
    this.store = store;
    this.runners = runners;
    this.transitions = transitions;
  }

  /** Starts what can start. Resolves with WANTED's record if WANTED started in this turn. */
  pump(wanted?: string): Promise<JobRecord | undefined> {
    let result: JobRecord | undefined;
    const run = async (): Promise<void> => {
      // One look at the line serves the whole turn: a start only takes a slot (counted live
      // below), and whatever ends, or fails unrun, pumps another turn.
      for (const next of this.store.queued(Date.now(), 500)) {
        if (this.closed) return;
        const deps = this.dependencies(next);
        if (!deps.ok && 'failed' in deps) {
          this.failUnrun(next.id, deps.failed);
          continue;
        }
        const runner = this.runners[next.kind];
        if (!deps.ok || runner.running() >= runner.limit()) continue;
        // Killed or removed while an earlier job of this turn was starting: not this one.
        const job = this.store.get(next.id);
        if (job?.status !== 'queued') continue;
        await runner.start(this.transitions.start(job));
        const record = this.store.get(job.id) ?? job;
        if (record.id === wanted) result = record;
      }
    };
    const turn = this.turn.then(run, run);
    this.turn = turn.catch((error: unknown) =>
      process.emitWarning(`bgjobs: starting jobs failed: ${String(error)}`),
    );
    return turn.then(() => result);
  }

  /** A queued job's place in the line (1 is next), by the order the queue starts them. */
  position(job: Pick<JobRecord, 'id'>): number {
    return (
      this.store.queued(Number.MAX_SAFE_INTEGER, 100_000).findIndex((j) => j.id === job.id) + 1
    );
  }

  private dependencies(job: QueuedJob): Readiness {
    for (const id of job.after) {
      const dep = this.store.get(id);
      if (!dep) return { ok: false, failed: `its dependency ${id} no longer exists` };
      if (dep.status === 'completed') continue;
      if (isFinal(dep.status)) {
        return {
          ok: false,
          failed: `its dependency ${id} did not complete (${dep.status}: ${dep.reason ?? 'no reason'})`,
        };
      }
      return { ok: false, waiting: true };
    }
    return { ok: true };
  }

  private failUnrun(id: string, reason: string): void {
    this.transitions.end(id, {
      status: 'failed',
      exitCode: null,
      signal: null,
      reason: `${reason}; it did not run`,
    });
  }
}
