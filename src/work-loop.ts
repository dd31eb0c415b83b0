import { setTimeout as delay } from 'node:timers/promises';

export interface WorkLoopOptions {
  /** The pause before each round. */
  everyMs: number;
  /** One round; resolves to whether there is still work (false ends the loop until a wake). */
  round: () => boolean | Promise<boolean>;
  /** A round that throws is reported here, and the loop goes on. */
  onError?: (error: unknown) => void;
  /** Whether the pause holds the process open (default true). */
  ref?: boolean;
}

/**
 * A background loop that runs only while it has work, so an idle daemon wakes for nothing:
 * `wake()` starts it (a round every `everyMs`, the first after one pause), and it ends by
 * itself once a round finds no work left. A wake during a round keeps it going. `stop()` ends
 * it for good and waits for the round in progress; both are idempotent.
 *
 * @example
 * const loop = new WorkLoop({ everyMs: 200, round: () => { checkAll(); return jobs.size > 0; } });
 * jobs.set(id, job);
 * loop.wake();
 * await loop.stop();
 */
export class WorkLoop {
  private readonly options: WorkLoopOptions;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private running = false;
  private woken = false;
  private stopping = false;

  constructor(options: WorkLoopOptions) {
    this.options = options;
  }

  /** Whether a round is planned or under way. */
  get active(): boolean {
    return this.running;
  }

  wake(): void {
    this.woken = true;
    if (this.running || this.stopping) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { everyMs, round, onError, ref = true } = this.options;
    try {
      while (!this.stopping) {
        await delay(everyMs, undefined, { signal: this.abort.signal, ref }).catch(() => undefined);
        if (this.stopping) return;
        this.woken = false;
        let more = true;
        try {
          more = await round();
        } catch (error) {
          onError?.(error);
        }
        if (!more && !this.woken) return;
      }
    } finally {
      // In the same turn as the last look for work: a wake from here on starts a new loop.
      this.running = false;
    }
  }
}
