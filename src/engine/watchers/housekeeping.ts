import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { Config } from '../../config.js';
import { diskUsage } from '../../logs/cap.js';
import type { Engine } from '../engine.js';

/** Bytes a job's logs take on disk (allocated blocks: punched-out holes do not count). */
export function logBytesOnDisk(dir: string): number {
  return diskUsage(join(dir, 'stdout')) + diskUsage(join(dir, 'stderr'));
}

/**
 * Keeps BGJOBS_HOME bounded: removes finished jobs past the retention time, and evicts the
 * logs of the oldest finished jobs while all logs together exceed BGJOBS_MAX_TOTAL_OUTPUT.
 */
export class Housekeeper {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private soonTimer: NodeJS.Timeout | undefined;
  private readonly engine: Engine;
  private readonly config: Config;

  constructor(engine: Engine, config: Config) {
    this.engine = engine;
    this.config = config;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Asks for a sweep shortly (after a job ends), coalescing bursts. */
  soon(): void {
    if (this.soonTimer || this.stopping) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.sweepSafely();
    }, 1000);
    this.soonTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.soonTimer);
    this.abort.abort();
    await this.loop;
  }

  sweep(now = Date.now()): { removed: string[]; evicted: string[] } {
    const removed: string[] = [];
    if (this.config.retentionS > 0) {
      for (const id of this.engine.store.finishedBefore(now - this.config.retentionS * 1000, 500)) {
        rmSync(this.engine.dirOf(id), { recursive: true, force: true });
        this.engine.store.delete(id);
        removed.push(id);
      }
    }
    return { removed, evicted: this.evictOverCap() };
  }

  private evictOverCap(): string[] {
    const finished = this.engine.store
      .finishedWithLogs()
      .map((id) => ({ id, bytes: logBytesOnDisk(this.engine.dirOf(id)) }));
    const running = this.engine.store.withStatus(['running']);
    let total = finished.reduce((sum, job) => sum + job.bytes, 0);
    for (const job of running) total += logBytesOnDisk(this.engine.dirOf(job.id));
    const evicted: string[] = [];
    for (const job of finished) {
      if (total <= this.config.maxTotalOutputBytes) break;
      const dir = this.engine.dirOf(job.id);
      rmSync(join(dir, 'stdout'), { force: true });
      rmSync(join(dir, 'stderr'), { force: true });
      this.engine.store.update(job.id, { logsEvicted: true });
      total -= job.bytes;
      evicted.push(job.id);
    }
    return evicted;
  }

  private sweepSafely(): void {
    try {
      this.sweep();
    } catch (error) {
      process.emitWarning(`bgjobs: retention sweep failed: ${String(error)}`);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.sweepSafely();
      await delay(this.config.cleanupIntervalS * 1000, undefined, {
        signal: this.abort.signal,
      }).catch(() => undefined);
    }
  }
}
