import type { JobEvents } from '../events.js';
import type { JobRecord } from '../model.js';

// setTimeout fires at once past this; longer timeouts wait in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Stops each job when its `timeout_s` has passed since it first started, whatever runs it: a
 * command, a prompt, a service between two runs, a retried job (its attempts share the time).
 */
export class Timeouts {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly stop: (job: JobRecord) => Promise<unknown>;

  constructor(events: JobEvents, stop: (job: JobRecord) => Promise<unknown>) {
    this.stop = stop;
    events.on('started', (job) => this.arm(job));
    events.on('ended', (job) => this.disarm(job.id));
    events.on('retried', (job) => this.disarm(job.id));
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(job: JobRecord): void {
    if (job.timeoutS === null || job.startedAt === null || this.timers.has(job.id)) return;
    const deadline = job.startedAt + job.timeoutS * 1000;
    const wait = (): void => {
      const left = deadline - Date.now();
      const timer = setTimeout(
        () => {
          if (left > MAX_TIMER_MS) return wait();
          this.timers.delete(job.id);
          this.stop(job).catch((error: unknown) =>
            process.emitWarning(
              `bgjobs: stopping job ${job.id} at its timeout failed: ${String(error)}`,
            ),
          );
        },
        Math.max(0, Math.min(left, MAX_TIMER_MS)),
      );
      timer.unref();
      this.timers.set(job.id, timer);
    };
    wait();
  }

  private disarm(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}
