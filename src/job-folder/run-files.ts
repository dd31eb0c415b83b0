import {
  closeSync,
  existsSync,
  writeFileSync,
  openSync,
  readSync,
  fstatSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';

import type { JobPaths } from './paths.js';

/**
 * The files one run of a job leaves in its folder besides its output: the monitor's pid file,
 * the stdin FIFO and the exit file. Before a service is started again they are set aside (the
 * exit file is kept as `exit.run<N>`), so the next monitor starts from a clean folder and a
 * restarted daemon never mistakes an old run's exit for the new one's.
 */
export function setAsidePreviousRun(paths: JobPaths, run: number): void {
  if (existsSync(paths.exit)) renameSync(paths.exit, `${paths.exit}.run${run}`);
  // A run's exit record is used up (or half written by a killed monitor): the next gets a fresh one.
  if (run > 0) rmSync(paths.exitRecord, { force: true });
  rmSync(paths.pid, { force: true });
  rmSync(paths.stdin, { force: true });
}

/**
 * What `exit.tmp` holds until the monitor writes the exit status over its start: blanks, which
 * readExitFile ignores after the number. Written bytes take real blocks, so the monitor's
 * record of the exit needs no new space on a full disk: it overwrites these bytes in place
 * (no truncation) and renames the file to `exit`.
 */
export const EXIT_RECORD_RESERVE = `${' '.repeat(63)}\n`;

/** Makes the run's `exit.tmp`, its space reserved, unless the spare folder brought one. */
export function reserveExitRecord(paths: JobPaths): void {
  if (existsSync(paths.exitRecord)) return;
  writeFileSync(paths.exitRecord, EXIT_RECORD_RESERVE, { mode: 0o600 });
}

/** Appends a visible line between two runs' output, on a line of its own. */
export function appendBoundary(path: string, text: string): void {
  const fd = openSync(path, 'a+', 0o600);
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    writeSync(fd, `${prefix}${text}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Records the cgroup a job's runs are in, for whoever stops it later (another daemon, too). */
export function recordCgroup(paths: JobPaths, cgroup: string): void {
  writeFileSync(paths.cgroup, cgroup, { mode: 0o600 });
}

/** The cgroup the job's runs are in, or null when it has none. */
export function readCgroup(paths: JobPaths): string | null {
  try {
    const text = readFileSync(paths.cgroup, 'utf8');
    return text.startsWith('/') ? text : null;
  } catch {
    return null;
  }
}
