import { isAbsolute, join, relative, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { BgError, ErrorCode, isBgError } from '../api/errors.js';
import { lockHolders } from '../procfs/file-locks.js';
import { corruptDatabase, isDaemonCommand, lockedByOther } from './home-precheck.js';
import { liveDaemonPid } from './pid-file.js';

/**
 * Why the daemon could not open or write its home, in words that name the cause and the fix: a
 * read-only or forbidden folder, a full disk, a corrupt database. What it does not recognise is
 * passed on as it is. For a failure at start, and for a request that failed the same way.
 *
 * @example
 * throw explainHomeError(error, config.home); // "BGJOBS_HOME (/x) is on a read-only file system…"
 */
export function explainHomeError(error: unknown, home: string): unknown {
  if (isBgError(error) || !(error instanceof Error) || !('code' in error)) return error;
  const code = String(error.code);
  const path = 'path' in error && typeof error.path === 'string' ? error.path : home;
  // A file elsewhere (a job's cwd, say) is no fault of the home: its own error says more. A
  // folder above the home, made with it, is the home's.
  const outside = relative(home, path).startsWith('..') || isAbsolute(relative(home, path));
  if (outside && !home.startsWith(`${path}${sep}`)) return error;
  const database = join(home, 'bgjobs.db');
  const explain = (message: string): BgError =>
    new BgError(ErrorCode.daemonUnavailable, message, { cause: error, data: { cause: code } });
  const writable =
    'bgjobs keeps its database, its log and every job’s output there. Set BGJOBS_HOME to a folder you can write (the default is ~/.local/state/bgjobs)';
  if (code === 'EROFS') {
    return explain(
      `BGJOBS_HOME (${home}) is on a read-only file system (EROFS, writing ${path}): ${writable}, or remount it read-write.`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY') {
    return explain(
      `bgjobs may not write ${code === 'SQLITE_READONLY' ? database : path} (${code}): ${writable}, or give yourself write access to ${home} and what is in it (chown/chmod u+rwX).`,
    );
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return explain(
      `The disk holding BGJOBS_HOME (${home}) is full (${code}): free some space there (old jobs: bgjobs rm), then try again.`,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return corruptDatabase(home, error.message, code, error);
  }
  if (code === 'SQLITE_CANTOPEN') {
    return explain(
      `bgjobs cannot open its database ${database} (${error.message}): check that ${home} is a folder you can write, or set BGJOBS_HOME to another.`,
    );
  }
  return error;
}

// How long a daemon that found the home locked looks for the winner's pid file: the winner
// writes it once it has opened the home, just after taking the lock.
const WINNER_WAIT_MS = 1500;

/**
 * The home's database is locked. By a live bgjobs daemon (its pid file names it; a daemon that
 * has just won a concurrent start writes it soon): that daemon's pid, to leave the home to it.
 * By any other program: an error naming it by pid, and what to do. Decided at once when no
 * lock holder could be a daemon starting (`bgjobs daemon run` or `bgjobs serve`).
 */
export async function lockOwner(home: string, cause: unknown): Promise<number | BgError> {
  const database = join(home, 'bgjobs.db');
  const files = [database, `${database}-wal`, `${database}-shm`];
  const deadline = Date.now() + WINNER_WAIT_MS;
  for (;;) {
    const daemon = liveDaemonPid(home);
    if (daemon !== undefined) return daemon;
    const holders = lockHolders(files);
    const mayBeStarting = holders.some((holder) => isDaemonCommand(holder.args));
    if ((holders.length > 0 && !mayBeStarting) || Date.now() > deadline) {
      return lockedByOther(database, holders, cause);
    }
    await delay(50);
  }
}
