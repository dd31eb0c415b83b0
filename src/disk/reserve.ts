import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { freeBytes, NEW_JOB_NEEDS_BYTES } from './space.js';

/** What the reserve holds back: room for a few hundred status writes to the database. */
export const RESERVE_BYTES = 256 * 1024;
const RESTORE_EVERY_MS = 1000;

/**
 * A file of real blocks kept beside the database, given back to the disk the moment a write
 * fails for want of space, so that the write (a job's final status, most often) can be made
 * again and succeed. It is made again once the disk has room for it and a new job besides.
 * A job still writing may take the freed room first: the reserve makes a lost write unlikely,
 * not impossible; a write that still fails is retried by its caller once space returns.
 *
 * @example
 * const reserve = new DiskReserve(join(home, 'reserve'));
 * reserve.restore();       // made when there is room
 * if (reserve.release()) retryTheWrite();
 * reserve.close();
 */
export class DiskReserve {
  private readonly path: string;
  private readonly size: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string, size = RESERVE_BYTES) {
    this.path = path;
    this.size = size;
  }

  /** Whether the reserve is in place now. */
  get held(): boolean {
    return statSync(this.path, { throwIfNoEntry: false })?.size === this.size;
  }

  /** Makes the reserve when it is missing and the disk has room; never throws. True when held. */
  restore(): boolean {
    if (this.held) return true;
    if (freeBytes(dirname(this.path)) < this.size + NEW_JOB_NEEDS_BYTES) {
      return false;
    }
    const partial = `${this.path}.tmp`;
    try {
      const fd = openSync(partial, 'w', 0o600);
      try {
        // Real bytes, not a sparse file: only written blocks are taken from the disk.
        const block = Buffer.alloc(64 * 1024, 0x2e);
        for (let done = 0; done < this.size; done += block.length) {
          writeSync(fd, block, 0, Math.min(block.length, this.size - done));
        }
      } finally {
        closeSync(fd);
      }
      renameSync(partial, this.path);
      return true;
    } catch {
      rmSync(partial, { force: true });
      return false;
    }
  }

  /**
   * Gives the reserve's room back to the disk; true when that freed something (so a failed
   * write is worth trying again). From then on it is made again as soon as there is room.
   */
  release(): boolean {
    const had = statSync(this.path, { throwIfNoEntry: false }) !== undefined;
    rmSync(this.path, { force: true });
    this.restoreLater();
    return had;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private restoreLater(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.restore()) this.close();
    }, RESTORE_EVERY_MS);
    this.timer.unref();
  }
}
