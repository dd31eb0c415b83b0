import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  fstatSync,
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
  rmSync(paths.pid, { force: true });
  rmSync(paths.stdin, { force: true });
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
