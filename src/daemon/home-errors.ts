import { isAbsolute, join, relative, sep } from 'node:path';

import { BgError, ErrorCode, isBgError } from '../api/errors.js';
import type { LockHolder } from '../procfs/file-locks.js';
import { databasePath } from './paths.js';

// What bgjobs says when its home cannot be used: the cause and the fix, in words. Loaded by a
// client before it starts a daemon, so neither zod nor SQLite's native module is loaded here.

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
  const database = databasePath(home);
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

/** The error for a database a program other than a bgjobs daemon holds locked: who, and what to do. */
export function lockedByOther(
  database: string,
  holders: readonly LockHolder[],
  cause: unknown,
): BgError {
  const who =
    holders.length === 0
      ? 'another program (none is listed in /proc/locks: it may run on another machine sharing this folder)'
      : holders.map((holder) => `pid ${holder.pid} (${holder.command})`).join(', ');
  return new BgError(
    ErrorCode.daemonUnavailable,
    `The database ${database} is locked by ${who}, not by a bgjobs daemon, so no daemon can start. End that program (an sqlite3 shell, or a backup holding a transaction), or have it commit, then try again.`,
    { cause, data: { holders } },
  );
}

/** The error for a corrupt database: what to move aside, and what is then lost. */
export function corruptDatabase(home: string, why: string, code: string, cause?: unknown): BgError {
  const database = databasePath(home);
  return new BgError(
    ErrorCode.daemonUnavailable,
    `The database ${database} is corrupt (${why}). Move it aside to start afresh: mv ${database} ${database}.corrupt — bgjobs then starts with no job history (job folders under ${join(home, 'jobs')} stay; jobs still running there are not re-adopted).`,
    { cause, data: { cause: code } },
  );
}
