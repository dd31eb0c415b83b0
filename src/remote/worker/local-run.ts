import { closeSync, existsSync, mkdirSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { membersOf, signalJob, untilOwnGroup } from '../../procfs/job-processes.js';
import { isSameProcess, procStat, signalProcess } from '../../procfs/proc.js';
import {
  openStdinForWrite,
  readExitFile,
  readPidFile,
  spawnMonitor,
  waitForPids,
} from '../../monitor/spawn.js';
import { pathsIn } from '../../job-folder/paths.js';
import type { RunRecord } from './run-record.js';

/**
 * One run on a worker, exactly as a local job runs: under its own monitor (monitor.sh), in its
 * own session and process group, output appended straight to files in its folder, stdin a
 * FIFO the monitor holds open, the exit status written atomically when it ends. Nothing here
 * depends on the worker process staying alive.
 */

const AFTER_SIGKILL_WAIT_MS = 5000;

export type RunState =
  | { state: 'running' }
  | { state: 'ended'; exitCode: number | null; signal: string | null }
  | { state: 'lost'; reason: string };

/**
 * Starts the monitor of a run recorded as PENDING, running COMMAND (its payload's, or the one
 * that runs its prompt); resolves with its record once its pid is known.
 */
export async function startRun(
  pending: RunRecord,
  env: Record<string, string>,
  cwd: string,
  command: string,
): Promise<RunRecord> {
  const { payload, dir } = pending;
  const record: RunRecord = { ...pending, startedAt: Date.now() };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(cwd)) throw new Error(`its working directory ${cwd} does not exist here`);
    const monitor = await spawnMonitor(pathsIn(dir), command, env, cwd, payload.pty);
    record.monitorPid = monitor.monitorPid;
    record.monitorStart = monitor.monitorStart;
    const pids = await waitForPids(pathsIn(dir), monitor.child);
    if (pids) {
      record.pid = pids.jobPid;
      record.pidStart = procStat(pids.jobPid)?.startTime ?? null;
    }
  } catch (error) {
    record.startError = `could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
  return record;
}

/** Looks at a run: still going, ended (with its exit), or gone without an exit. */
export function checkRun(record: RunRecord): RunState {
  if (record.startError !== null) return { state: 'lost', reason: record.startError };
  const exit = readExitFile(pathsIn(record.dir).exit);
  if (exit) return { state: 'ended', ...exit };
  if (isSameProcess(record.monitorPid, record.monitorStart)) return { state: 'running' };
  // The exit file may have landed between the two looks.
  const late = readExitFile(pathsIn(record.dir).exit);
  if (late) return { state: 'ended', ...late };
  if (record.pid === null) {
    const pids = readPidFile(pathsIn(record.dir).pid);
    if (pids) {
      record.pid = pids.jobPid;
      record.pidStart = procStat(pids.jobPid)?.startTime ?? null;
    }
  }
  if (isSameProcess(record.pid, record.pidStart)) return { state: 'running' };
  return {
    state: 'lost',
    reason: 'its monitor ended without recording an exit status; the exit status is unknown',
  };
}

/**
 * Stops the whole tree: SIGNAL to its process group and session, then SIGKILL to what is left
 * after the grace. Resolves once nothing of it is left, or the wait after SIGKILL ran out.
 */
export async function stopRun(
  record: RunRecord,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<{ escalated: boolean }> {
  const gone = () => membersOf(record).length === 0;
  // A run just started may not lead its process group yet: signal it once it does.
  await untilOwnGroup(record);
  signalJob(record, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !gone()) await delay(10);
  if (gone()) return { escalated: false };
  signalJob(record, 'SIGKILL');
  const killDeadline = Date.now() + AFTER_SIGKILL_WAIT_MS;
  while (Date.now() < killDeadline && !gone()) await delay(10);
  return { escalated: true };
}

/** Writes DATA to the run's stdin FIFO, waiting while the pipe is full, up to TIMEOUT_MS. */
export async function writeRunInput(
  record: RunRecord,
  data: Buffer,
  timeoutMs: number,
): Promise<void> {
  const fd = openStdinForWrite(pathsIn(record.dir).stdin);
  if (fd === undefined) throw new Error('the job has no open stdin (its monitor is gone)');
  const deadline = Date.now() + timeoutMs;
  try {
    let rest = data;
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(fd, rest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        if (Date.now() >= deadline) {
          throw new Error(
            `the job is not reading its input; ${rest.length} bytes were not written`,
            { cause: error },
          );
        }
        await delay(10);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Asks the run's monitor to close its end of the stdin FIFO, so the job reads EOF. */
export function closeRunStdin(record: RunRecord): boolean {
  if (record.monitorPid === null || record.monitorStart === null) return false;
  return signalProcess(record.monitorPid, record.monitorStart, 'SIGUSR1');
}
