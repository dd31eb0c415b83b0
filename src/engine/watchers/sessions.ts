import { isSameProcess } from '../../procfs/proc.js';
import type { JobStore } from '../../store/store.js';
import type { JobRecord } from '../model.js';

const SESSION_PATTERN = /^mcp:(\d+):(\d+)$/;

/**
 * Whether the MCP session a `lifetime: "session"` job belongs to still exists. A session is
 * named after its MCP server process, `mcp:<pid>:<start time in clock ticks>`, so a recycled
 * pid never keeps a session alive. A name of another shape cannot be checked and counts as
 * alive.
 */
export function isSessionAlive(session: string): boolean {
  const match = SESSION_PATTERN.exec(session);
  if (!match) return true;
  return isSameProcess(Number(match[1]), Number(match[2]));
}

const CHECK_MS = 1000;

/** Stops the `lifetime: "session"` jobs whose MCP session (its server process) is gone. */
export class SessionReaper {
  private readonly ending = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(store: Pick<JobStore, 'withStatus'>, stop: (job: JobRecord) => Promise<unknown>) {
    const sweep = async (): Promise<void> => {
      for (const job of store.withStatus(['queued', 'running'])) {
        if (job.lifetime !== 'session' || job.sessionId === null) continue;
        if (this.ending.has(job.id) || isSessionAlive(job.sessionId)) continue;
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
