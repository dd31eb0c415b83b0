import type { Owner } from '../../api/caller.js';
import { isSameProcess } from '../../procfs/proc.js';
import type { JobStore } from '../../store/store.js';
import { WorkLoop } from '../../work-loop.js';
import type { JobEvents } from '../events.js';
import type { JobRecord } from '../model.js';

/** Whether the MCP server process a `lifetime: "session"` job belongs to still exists. */
export function isOwnerAlive(owner: Owner): boolean {
  return isSameProcess(owner.pid, owner.start);
}

const CHECK_MS = 1000;

/**
 * Stops the `lifetime: "session"` jobs whose MCP session (its server process) is gone. It looks
 * every CHECK_MS only while some session job is queued or running: admitting or starting one
 * wakes it, and it sleeps again once none is left.
 */
export class SessionReaper {
  private readonly ending = new Set<string>();
  private readonly loop: WorkLoop;

  constructor(
    store: Pick<JobStore, 'withStatus'>,
    events: JobEvents,
    stop: (job: JobRecord) => Promise<unknown>,
  ) {
    const sweep = (): boolean => {
      let live = 0;
      for (const job of store.withStatus(['queued', 'running'])) {
        if (job.lifetime !== 'session' || job.owner === null) continue;
        live++;
        if (this.ending.has(job.id) || isOwnerAlive(job.owner)) continue;
        this.ending.add(job.id);
        stop(job)
          .catch((error: unknown) => {
            process.emitWarning(`bgjobs: stopping session job ${job.id} failed: ${String(error)}`);
          })
          .finally(() => this.ending.delete(job.id));
      }
      return live > 0;
    };
    this.loop = new WorkLoop({ everyMs: CHECK_MS, round: sweep, ref: false });
    const wakeFor = (job: JobRecord): void => {
      if (job.lifetime === 'session') this.loop.wake();
    };
    events.on('admitted', wakeFor);
    events.on('started', wakeFor);
    // Session jobs a previous daemon left queued or running.
    this.loop.wake();
  }

  close(): Promise<void> {
    return this.loop.stop();
  }
}
