import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { closeSync, constants as fsConstants, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ExitInfo } from '../engine/model.js';
import type { JobPaths } from '../job-folder/paths.js';
import { procStat } from '../procfs/proc.js';

const MONITOR_SCRIPT = fileURLToPath(new URL('./monitor.sh', import.meta.url));

export interface MonitorStart {
  child: ChildProcess;
  monitorPid: number;
  monitorStart: number | null;
  /** The job's process, when known at once (a spare's); else its monitor writes the pid file. */
  jobPid?: number;
  jobStart?: number | null;
}

/** The size of a job's pseudo-terminal, in character cells. */
export interface PtySize {
  cols: number;
  rows: number;
}

/**
 * Starts the monitor for one job, detached in its own session, with the job's environment and
 * working directory. The command travels in an environment variable and is only ever given to
 * a shell as the argument of `sh -c`. Monitor diagnostics go to JOB_DIR/monitor.log.
 *
 * With `pty`, the job runs in a pseudo-terminal of that size (see monitor.sh): its stdout and
 * stderr are one stream, the stdout file, and the job pid the monitor records is the leader
 * of the terminal's session, so signalling it and its session reaches exactly the job.
 *
 * Every process of the job carries `BGJOBS_JOB_ID=<id>` (the folder's name) in its
 * environment, so one that leaves the job's session is still found; with CGROUP, the job runs
 * in that cgroup (v2), where it stays whatever it does.
 */
export function spawnMonitor(
  paths: JobPaths,
  command: string,
  env: Record<string, string>,
  cwd: string,
  pty: PtySize | null = null,
  cgroup: string | null = null,
): Promise<MonitorStart> {
  const log = openSync(paths.monitorLog, 'a', 0o600);
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', [MONITOR_SCRIPT, paths.dir], {
        cwd,
        env: {
          ...monitorEnv(env, command, pty),
          BGJOBS_JOB_ID: basename(paths.dir),
          ...(cgroup === null ? {} : { BGJOBS_CGROUP: cgroup }),
        },
        detached: true,
        stdio: ['ignore', 'ignore', log],
      });
    } catch (error) {
      closeSync(log);
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    closeSync(log);
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      child.unref();
      const monitorPid = child.pid ?? 0;
      resolve({ child, monitorPid, monitorStart: procStat(monitorPid)?.startTime ?? null });
    });
  });
}

// The monitor takes the command and the terminal size from its environment. Only `pty` says
// whether there is a terminal: a size the job's own env happens to carry never does.
function monitorEnv(
  env: Record<string, string>,
  command: string,
  pty: PtySize | null,
): Record<string, string> {
  const rest = jobEnvOf(env);
  if (pty === null) return { ...rest, BGJOBS_JOB_COMMAND: command };
  for (const value of [pty.cols, pty.rows]) {
    if (!Number.isInteger(value) || value < 1 || value > 0xffff) {
      throw new RangeError(`a terminal size must be a whole number of cells, not ${value}`);
    }
  }
  return {
    ...rest,
    BGJOBS_JOB_COMMAND: command,
    BGJOBS_PTY_COLS: String(pty.cols),
    BGJOBS_PTY_ROWS: String(pty.rows),
  };
}

/** ENV without the variables only a monitor takes (the terminal size, the cgroup). */
export function jobEnvOf(env: Record<string, string>): Record<string, string> {
  const rest = { ...env };
  delete rest.BGJOBS_PTY_COLS;
  delete rest.BGJOBS_PTY_ROWS;
  delete rest.BGJOBS_CGROUP;
  delete rest.BGJOBS_JOB_ID;
  delete rest.BGJOBS_JOB_COMMAND;
  return rest;
}

/** How long a monitor may take to write its pid file before its start counts as failed. */
export const PID_FILE_WAIT_MS = 5000;

/**
 * Waits for the pid file of the monitor CHILD just spawned, at most PID_FILE_WAIT_MS; undefined
 * when the monitor ended without writing one or the wait ran out.
 */
export async function waitForPids(
  paths: JobPaths,
  child: ChildProcess,
): Promise<{ monitorPid: number; jobPid: number } | undefined> {
  const deadline = Date.now() + PID_FILE_WAIT_MS;
  // The pid file comes a few milliseconds after the spawn; every millisecond of lag is added
  // to execute, and a look costs a failed open.
  while (Date.now() < deadline) {
    const pids = readPidFile(paths.pid);
    if (pids) return pids;
    if (child.exitCode !== null || child.signalCode !== null) return readPidFile(paths.pid);
    await delay(1);
  }
  return undefined;
}

/** The pids the monitor wrote (`MONITOR_PID JOB_PID\n`), or undefined until it has. */
export function readPidFile(path: string): { monitorPid: number; jobPid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // The monitor writes the line in one go; until the newline is there it is not complete.
  const match = /^(\d+) (\d+)\n$/.exec(text);
  if (!match) return undefined;
  return { monitorPid: Number(match[1]), jobPid: Number(match[2]) };
}

/**
 * How the job ended, as its monitor recorded it, or undefined if it has not (yet).
 * The shell reports a death by signal N as status 128+N; bgjobs reads it that way, so an
 * explicit `exit 137` is reported as SIGKILL too (documented).
 */
export function readExitFile(path: string): ExitInfo | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const code = Number(text.trim());
  if (!/^\d+\s*$/.test(text) || !Number.isInteger(code)) return undefined;
  const signal = code > 128 ? signalName(code - 128) : undefined;
  return signal ? { exitCode: null, signal } : { exitCode: code, signal: null };
}

export function signalName(signo: number): string | undefined {
  for (const [name, value] of Object.entries(osConstants.signals)) {
    if (value === signo) return name;
  }
  return undefined;
}

export function signalNumber(name: string): number | undefined {
  return (osConstants.signals as Record<string, number | undefined>)[name];
}

/** Opens the job's stdin FIFO for writing without blocking; undefined if no one reads it. */
export function openStdinForWrite(path: string): number | undefined {
  try {
    return openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}
