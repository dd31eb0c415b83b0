import type { JobStore, QueuedJob } from '../../store/store.js';
import { isFinal } from '../../api/job.js';
import type { JobRecord } from '../model.js';

/** What starts jobs of one kind, and how many of them may run at once. */
export interface Starter {
  running(): number;
  limit(): number;
  /** Starts a job the store already holds as `running`; resolves with its record after. */
  start(job: JobRecord): Promise<JobRecord>;
}

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
  private readonly starters: Record<JobRecord['kind'], Starter>;
  private readonly onFailedUnrun: (job: JobRecord) => void;
  closed = false;

  constructor(
    store: JobStore,
    starters: Record<JobRecord['kind'], Starter>,
    onFailedUnrun: (job: JobRecord) => void,
  ) {
    this.store = store;
    this.starters = starters;
    this.onFailedUnrun = onFailedUnrun;
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
        const starter = this.starters[next.kind];
        if (!deps.ok || starter.running() >= starter.limit()) continue;
        // Killed or removed while an earlier job of this turn was starting: not this one.
        const job = this.store.get(next.id);
        if (job?.status !== 'queued') continue;
        const now = Date.now();
        this.store.update(job.id, {
          status: 'running',
          startedAt: job.startedAt ?? now,
          retryAt: null,
        });
        const record = await starter.start({
          ...job,
          status: 'running',
          startedAt: job.startedAt ?? now,
        });
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
    this.store.update(id, {
      status: 'failed',
      reason: `${reason}; it did not run`,
      endedAt: Date.now(),
    });
    const failed = this.store.get(id);
    if (failed) this.onFailedUnrun(failed);
  }
}
