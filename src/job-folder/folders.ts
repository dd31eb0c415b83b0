import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { diskUsage } from '../logs/cap.js';
import { readEnvFile, removeEnvFile, writeEnvFile } from './env-file.js';
import { JOB_FILES, jobDir, jobPaths, jobsRoot, type JobPaths } from './paths.js';
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
  private lastWritten: { id: string; env: Record<string, string> } | undefined;

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
    if (this.lastWritten?.id === id) this.lastWritten = undefined;
    rmSync(this.dirOf(id), { recursive: true, force: true });
  }

  /**
   * Keeps the environment a job starts with (each run of a service, a queued job, a retry) in
   * its folder, 0600, while it is live: the database never holds it (see env-file.ts).
   */
  writeEnv(id: string, env: Record<string, string>): void {
    writeEnvFile(this.paths(id).env, env);
    this.lastWritten = { id, env };
  }

  /**
   * The environment a live job starts with; undefined once it has ended. The one written last
   * comes from memory: a job that starts as it is admitted does not read back what it wrote.
   */
  readEnv(id: string): Record<string, string> | undefined {
    if (this.lastWritten?.id === id) return this.lastWritten.env;
    return readEnvFile(this.paths(id).env);
  }

  /** Forgets a job's environment: it has ended. */
  removeEnv(id: string): void {
    if (this.lastWritten?.id === id) this.lastWritten = undefined;
    removeEnvFile(this.paths(id).env);
  }

  /**
   * Removes the environment of every job not in LIVE: one a daemon that died between recording
   * a job's end and removing it left behind. Returns the ids it removed one of.
   */
  removeStrayEnvs(live: ReadonlySet<string>): string[] {
    const stray: string[] = [];
    if (this.lastWritten !== undefined && !live.has(this.lastWritten.id))
      this.lastWritten = undefined;
    let entries: string[];
    try {
      entries = readdirSync(jobsRoot(this.home));
    } catch {
      return stray;
    }
    for (const id of entries) {
      if (live.has(id) || id.startsWith('.')) continue;
      try {
        rmSync(join(jobsRoot(this.home), id, JOB_FILES.env));
        stray.push(id);
      } catch {
        // No environment kept there: the usual case.
      }
    }
    return stray;
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
