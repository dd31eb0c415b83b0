import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { JOB_FILES } from './paths.js';
import { EXIT_RECORD_RESERVE } from './run-files.js';

// Beside the job folders, on the same filesystem, so taking a spare is a rename.
const SPARE_FOLDER = '.spare';
const DEFAULT_SPARES = 4;
// Spares are made again a moment after one is taken, not while the new job is starting: that
// work would compete with it (a prompt's request, a job's first output) for the disk and CPU.
const REFILL_DELAY_MS = 50;

/**
 * Makes the folders jobs keep their output in. Making a folder and its files means allocating
 * inodes, which costs ext4 about half a millisecond each; renaming costs a twentieth of that.
 * So a few spare folders, each with empty `stdout` and `stderr`, are made ahead in the
 * background (in `jobs/.spare/`, with the exit record's space reserved too), and a new job's folder is a spare renamed into place; spares
 * are made again a moment later. When none is spare (a burst of jobs), the folder is made on
 * the spot.
 *
 * @example
 * const spares = new SpareFolders(join(home, "jobs"));
 * spares.make('k3v9x2qa'); // → <home>/jobs/k3v9x2qa, with empty stdout and stderr
 * await spares.close();     // spares removed
 */
export class SpareFolders {
  private readonly spareRoot: string;
  private readonly target: number;
  private readonly spares: string[] = [];
  private filling: Promise<void> | undefined;
  private refillTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Removes spares a previous daemon left behind, then starts making SPARES of its own. */
  constructor(root: string, spares = DEFAULT_SPARES) {
    this.spareRoot = join(root, SPARE_FOLDER);
    this.target = spares;
    rmSync(this.spareRoot, { recursive: true, force: true });
    mkdirSync(this.spareRoot, { recursive: true, mode: 0o700 });
    this.refill();
  }

  /** Makes the folder at PATH (under the root), from a spare when there is one; returns PATH. */
  make(path: string): string {
    const spare = this.spares.pop();
    this.refillSoon();
    if (spare !== undefined) {
      try {
        renameSync(spare, path);
        return path;
      } catch {
        // PATH holds something already (a folder with content is not renamed over), or the
        // spare went: drop the spare and make the folder here.
        rmSync(spare, { recursive: true, force: true });
      }
    }
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  }

  /** How many spares are ready now. */
  get ready(): number {
    return this.spares.length;
  }

  /** Waits for spares being made, then removes every spare. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refillTimer);
    await this.filling;
    this.spares.length = 0;
    rmSync(this.spareRoot, { recursive: true, force: true });
  }

  /** Tops the spares up REFILL_DELAY_MS from now, unless that is already planned. */
  private refillSoon(): void {
    if (this.refillTimer || this.closed) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  /** Tops the spares up in the background, one filler at a time; after a failure, the next make tries again. */
  private refill(): void {
    if (this.filling || this.closed) return;
    this.filling = this.fill().then((full) => {
      this.filling = undefined;
      // Jobs took spares while the last one was being made: make more.
      if (full && this.spares.length < this.target) this.refill();
    });
  }

  /** Makes spares up to the target; false when one could not be made (a full disk). */
  private async fill(): Promise<boolean> {
    while (!this.closed && this.spares.length < this.target) {
      const spare = join(this.spareRoot, randomBytes(6).toString('hex'));
      try {
        await mkdir(spare, { mode: 0o700 });
        await writeFile(join(spare, JOB_FILES.stdout), '', { mode: 0o600, flag: 'wx' });
        await writeFile(join(spare, JOB_FILES.stderr), '', { mode: 0o600, flag: 'wx' });
        await writeFile(join(spare, JOB_FILES.exitRecord), EXIT_RECORD_RESERVE, {
          mode: 0o600,
          flag: 'wx',
        });
      } catch {
        // Jobs make their own folders meanwhile.
        await rm(spare, { recursive: true, force: true }).catch(() => undefined);
        return false;
      }
      if (this.closed) await rm(spare, { recursive: true, force: true }).catch(() => undefined);
      else this.spares.push(spare);
    }
    return true;
  }
}
