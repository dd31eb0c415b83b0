import type { Owner } from '../../api/caller.js';
import { isSameProcess } from '../../procfs/proc.js';
import type { JobStore } from '../../store/store.js';
import type { JobRecord } from '../model.js';

/** Whether the MCP server process a `lifetime: "session"` job belongs to still exists. */
export function isOwnerAlive(owner: Owner): boolean {
  return isSameProcess(owner.pid, owner.start);
}

const CHECK_MS = 1000;

/** Stops the `lifetime: "session"` jobs whose MCP session (its server process) is gone. */
export class SessionReaper {
  private readonly ending = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(store: Pick<JobStore, 'withStatus'>, stop: (job: JobRecord) => Promise<unknown>) {
    const sweep = async (): Promise<void> => {
      for (const job of store.withStatus(['queued', 'running'])) {
        if (job.lifetime !== 'session' || job.owner === null) continue;
        if (this.ending.has(job.id) || isOwnerAlive(job.owner)) continue;
        this.ending.add(job.id);
        try {
          await stop(job);
        } catch (error) {
          process.emitWarning(`bgjobs: stopping session job ${job.id} failed: ${String(error)}`);
        } finally {
          this.ending.delete(job.id);
        }
      }
    };
    this.timer = setInterval(() => void sweep(), CHECK_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
