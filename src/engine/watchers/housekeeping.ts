import { setTimeout as delay } from 'node:timers/promises';

import { LIVE_STATUSES } from '../../api/job.js';
import type { Config } from '../../config.js';
import type { JobFolders } from '../../job-folder/folders.js';
import type { JobStore } from '../../store/store.js';
import type { JobEvents } from '../events.js';

/**
 * Keeps BGJOBS_HOME bounded: removes finished jobs past the retention time, and evicts the
 * logs of the oldest finished jobs while all logs together exceed BGJOBS_MAX_TOTAL_OUTPUT.
 */
export class Housekeeper {
  private stopping = false;
  private swept = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private soonTimer: NodeJS.Timeout | undefined;
  private readonly store: JobStore;
  private readonly folders: JobFolders;
  private readonly config: Config;

  constructor(store: JobStore, folders: JobFolders, config: Config, events: JobEvents) {
    this.store = store;
    this.folders = folders;
    this.config = config;
    events.on('ended', () => this.soon());
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
    if (!this.swept) this.removeStrayEnvs();
    this.swept = true;
    const removed: string[] = [];
    if (this.config.retentionS > 0) {
      for (const id of this.store.finishedBefore(now - this.config.retentionS * 1000, 500)) {
        this.folders.remove(id);
        this.store.delete(id);
        removed.push(id);
      }
    }
    return { removed, evicted: this.evictOverCap() };
  }

  // A daemon that died between recording a job's end and removing its environment file left
  // it behind: the first sweep of the next daemon removes it (the sweep runs synchronously, so
  // no job is admitted between reading the live jobs and looking at the folders).
  private removeStrayEnvs(): void {
    const live = new Set(this.store.withStatus(LIVE_STATUSES).map((job) => job.id));
    this.folders.removeStrayEnvs(live);
  }

  private evictOverCap(): string[] {
    const finished = this.store
      .finishedWithLogs()
      .map((id) => ({ id, bytes: this.folders.bytesOnDisk(id) }));
    const running = this.store.withStatus(['running']);
    let total = finished.reduce((sum, job) => sum + job.bytes, 0);
    for (const job of running) total += this.folders.bytesOnDisk(job.id);
    const evicted: string[] = [];
    for (const job of finished) {
      if (total <= this.config.maxTotalOutputBytes) break;
      this.folders.removeOutput(job.id);
      this.store.update(job.id, { logsEvicted: true });
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
