import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

import type { Config } from '../config.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { isSameProcess, procStat } from '../procfs/proc.js';
import { Connection } from './connection.js';
import { daemonEnv } from './daemon-env.js';
import { daemonLogPath, socketPath } from './paths.js';
import { pingResultSchema, type PingResult } from './protocol.js';
import { explainHomeError } from './home-errors.js';

const START_TIMEOUT_MS = 15_000;
// Lets V8 fall back to its linear-time engine when a user's search regex backtracks too much.
const DAEMON_NODE_FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks'];
const STOP_TIMEOUT_MS = 15_000;

/** Asks the daemon of this home who it is; undefined when none answers. */
export async function ping(config: Config): Promise<PingResult | undefined> {
  let connection: Connection;
  try {
    connection = await Connection.open(socketPath(config.home));
  } catch {
    return undefined;
  }
  try {
    return pingResultSchema.parse(await connection.request('ping', {}));
  } catch {
    return undefined;
  } finally {
    connection.close();
  }
}

/**
 * Starts the daemon for this home unless one already answers; detached, in its own session,
 * logging to BGJOBS_HOME/daemon.log. Safe to call concurrently: only one daemon can take the
 * home's lock, the others exit, and every caller ends up talking to the winner.
 */
export async function startDaemon(
  config: Config,
  options: { env?: NodeJS.ProcessEnv; prechecked?: boolean } = {},
): Promise<{ pid: number; started: boolean }> {
  const existing = await ping(config);
  if (existing) return { pid: existing.pid, started: false };
  // What the home's state tells (read-only, locked, damaged) is reported now, not by a daemon
  // seconds later; unless the caller has just asked (DaemonClient does, before loading this).
  const { homeRefusal, makeHomeFolder } = await import('./home-precheck.js');
  const refused = options.prechecked === true ? undefined : await homeRefusal(config.home);
  if (refused) throw refused;
  const logPath = daemonLogPath(config.home);
  let log: number;
  try {
    makeHomeFolder(config.home);
    log = openSync(logPath, 'a', 0o600);
  } catch (error) {
    throw explainHomeError(error, config.home);
  }
  // What this daemon writes to its log starts here: if it fails to start, that is why.
  const logStart = fstatSync(log).size;
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, cliEntry(), 'daemon', 'run'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...daemonEnv(options.env ?? process.env), BGJOBS_HOME: config.home },
    cwd: config.home,
  });
  closeSync(log);
  child.unref();
  child.on('error', () => undefined);
  let failed: number | undefined;
  // A daemon that leaves the home to another exits 0; one that cannot start exits with an error.
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      if (code !== 0) failed = code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]);
      resolve();
    });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let wait = 5;
  while (Date.now() < deadline) {
    const info = await ping(config);
    if (info) {
      // Another starter's daemon answered first: ours is not needed. Were it left to finish
      // starting, it could take over the home later, after the winner has stopped.
      if (info.pid !== child.pid && child.exitCode === null) child.kill('SIGTERM');
      return { pid: info.pid, started: info.pid === child.pid };
    }
    if (failed !== undefined) {
      throw new BgError(
        ErrorCode.daemonUnavailable,
        `The bgjobs daemon could not start (exit code ${failed}): ${startFailure(logPath, logStart)}`,
      );
    }
    // A daemon that cannot start has written why by the time it exits: read it at once. (One
    // that exited 0 left the home to another daemon, which is waited for as before.)
    const running = child.exitCode === null && child.signalCode === null;
    await (running ? Promise.race([delay(wait), exited]) : delay(wait));
    wait = Math.min(wait * 2, 100);
  }
  throw new BgError(
    ErrorCode.daemonUnavailable,
    `The bgjobs daemon did not start within ${START_TIMEOUT_MS / 1000} s. See ${logPath}:\n${lastLines(logPath, 10)}`,
  );
}

/** What a daemon that could not start wrote to its log: its error, as the CLI printed it. */
function startFailure(logPath: string, from: number): string {
  let text: string;
  try {
    text = readFileSync(logPath).subarray(from).toString('utf8');
  } catch {
    return `see ${logPath}.`;
  }
  const lines = text.trimEnd().split('\n');
  const said = lines.filter((line) => line.startsWith('bgjobs: ')).map((line) => line.slice(8));
  const why = said.length > 0 ? said.join('\n') : lines.slice(-10).join('\n');
  return `${why}\n(the daemon's log: ${logPath})`;
}

/** Stops the daemon (jobs keep running under their monitors). */
export async function stopDaemon(config: Config): Promise<{ stopped: boolean; pid?: number }> {
  const info = await ping(config);
  if (!info) return { stopped: false };
  const start = procStat(info.pid)?.startTime ?? null;
  try {
    const connection = await Connection.open(socketPath(config.home));
    await connection.request('shutdown', {}).finally(() => connection.close());
  } catch {
    // It may have gone already; the check below decides.
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && isSameProcess(info.pid, start)) await delay(20);
  if (isSameProcess(info.pid, start)) {
    process.kill(info.pid, 'SIGKILL');
    while (isSameProcess(info.pid, start)) await delay(20);
  }
  return { stopped: true, pid: info.pid };
}

export interface DaemonStatus {
  running: boolean;
  pid?: number;
  home: string;
  socket: string;
  running_jobs?: number;
  queued_jobs?: number;
  uptime_s?: number;
  started_at?: string;
  version?: string;
  settings?: Record<string, unknown>;
}

export async function daemonStatus(config: Config): Promise<DaemonStatus> {
  const socket = socketPath(config.home);
  const info = await ping(config);
  if (!info) return { running: false, home: config.home, socket };
  return {
    running: true,
    pid: info.pid,
    home: info.home,
    socket,
    running_jobs: info.running_jobs,
    queued_jobs: info.queued_jobs,
    uptime_s: Math.round((Date.now() - Date.parse(info.started_at)) / 1000),
    started_at: info.started_at,
    version: info.version,
    settings: info.settings,
  };
}

/** The CLI that runs the daemon: dist/bin.cjs, also when this module runs from src in tests. */
function cliEntry(): string {
  const beside = fileURLToPath(new URL('../bin.cjs', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../dist/bin.cjs', import.meta.url));
}

function lastLines(path: string, count: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
