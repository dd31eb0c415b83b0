import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import { z } from 'zod';

import { isSameProcess, procStat } from '../procfs/proc.js';
import { daemonPidPath } from './paths.js';

const pidFileSchema = z.object({ pid: z.number().int(), start_time: z.number() });

/**
 * The daemon's pid file: written once it holds the home's lock, so that a database found
 * locked can be told apart — a daemon (defer to it) or another program (say which). A pid
 * is trusted only with its start time, which a recycled pid cannot share.
 */
export function writePidFile(home: string): void {
  const record = { pid: process.pid, start_time: procStat(process.pid)?.startTime ?? 0 };
  writeFileSync(daemonPidPath(home), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Removes the pid file, if it is this process's. */
export function removePidFile(home: string): void {
  if (liveDaemonPid(home) === process.pid) rmSync(daemonPidPath(home), { force: true });
}

/** The pid of the live daemon the pid file names; undefined when none lives. */
export function liveDaemonPid(home: string): number | undefined {
  try {
    const record = pidFileSchema.parse(JSON.parse(readFileSync(daemonPidPath(home), 'utf8')));
    return isSameProcess(record.pid, record.start_time) ? record.pid : undefined;
  } catch {
    return undefined;
  }
}
