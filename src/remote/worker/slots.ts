/**
 * The worker's concurrency: how many runs it holds at once (starting, running, or ended but
 * not yet reported). A taker waits for a free slot until it gets one or the worker closes.
 */
export class Slots {
  private taken = 0;
  private readonly waiters: { resolve: (got: boolean) => void }[] = [];
  private closed = false;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.taken;
  }

  /** Resolves true with a slot taken, or false when the worker closes first. */
  take(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.taken < this.limit) {
      this.taken++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push({ resolve }));
  }

  /** Takes a slot whatever the limit (a run adopted after a restart already runs). */
  force(): void {
    this.taken++;
  }

  release(): void {
    this.taken = Math.max(0, this.taken - 1);
    while (this.taken < this.limit && this.waiters.length > 0) {
      this.taken++;
      this.waiters.shift()?.resolve(true);
    }
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(false);
  }
}
