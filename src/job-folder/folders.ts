import { rmSync, statSync } from 'node:fs';

import { diskUsage } from '../logs/cap.js';
import { jobDir, jobPaths, jobsRoot, type JobPaths } from './paths.js';
import { SpareFolders } from './spares.js';

/**
 * The one owner of where a job's files are: its folder under `<home>/jobs`, each file in it,
 * the spare folders new jobs are made from, and what the files take on disk. Everything else
 * asks this for a path instead of joining one.
 *
 * @example
 * const folders = new JobFolders(home);
 * const { stdout } = folders.make('k3f9x2qa'); // a spare renamed into place
 * folders.sizeOf(stdout);                       // 0
 */
export class JobFolders {
  private readonly home: string;
  private readonly spares: SpareFolders;

  constructor(home: string, spares?: number) {
    this.home = home;
    this.spares = new SpareFolders(jobsRoot(home), spares);
  }

  dirOf(id: string): string {
    return jobDir(this.home, id);
  }

  paths(id: string): JobPaths {
    return jobPaths(this.home, id);
  }

  /** Makes a new job's folder, with empty stdout and stderr when a spare was ready. */
  make(id: string): JobPaths {
    const paths = this.paths(id);
    this.spares.make(paths.dir);
    return paths;
  }

  /** Removes a job's folder and everything in it. */
  remove(id: string): void {
    rmSync(this.dirOf(id), { recursive: true, force: true });
  }

  /** Removes a job's output, keeping its folder (the logs were evicted). */
  removeOutput(id: string): void {
    const paths = this.paths(id);
    rmSync(paths.stdout, { force: true });
    rmSync(paths.stderr, { force: true });
  }

  /** The size of a file in bytes, 0 when it is not there. */
  sizeOf(path: string): number {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  }

  /** Both streams' sizes together: how much the job has written. */
  outputSize(id: string): number {
    const paths = this.paths(id);
    return this.sizeOf(paths.stdout) + this.sizeOf(paths.stderr);
  }

  /** Bytes a job's logs take on disk (allocated blocks: punched-out holes do not count). */
  bytesOnDisk(id: string): number {
    const paths = this.paths(id);
    return diskUsage(paths.stdout) + diskUsage(paths.stderr);
  }

  /** Waits for spares being made, then removes every spare. */
  close(): Promise<void> {
    return this.spares.close();
  }
}
