import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { BgError, ErrorCode } from '../api/errors.js';
import { type LockHolder, lockHolders } from '../procfs/file-locks.js';

/**
 * What a client can tell of its home before it starts a daemon (which takes seconds to load and
 * would then fail the same way): a database that is no SQLite file, a database another program
 * holds locked. Neither SQLite's native module nor zod is loaded here: on a loaded machine each
 * took longer than the whole check.
 */

/**
 * How long the home's lock may stay taken before bgjobs calls it locked: a checkpoint or
 * another program's short transaction holds it for milliseconds, and must not read as "locked".
 * A daemon taking the home waits this long too (see home-lock.ts).
 */
export const LOCK_PATIENCE_MS = 250;
// How often the lock is looked at meanwhile: often enough to find a gap of a few milliseconds
// between another program's transactions (SQLite's own busy handler sleeps up to 100 ms).
export const LOCK_RETRY_MS = 2;

/**
 * Asked by a client that found no daemon, before it starts one (which takes seconds to load
 * and then fails the same way): is the home's database locked by a program that is no bgjobs
 * daemon? Then the error that names it; otherwise undefined, and a daemon is started as usual —
 * no database yet, no lock listed, a daemon holding it (its command line says so). The kernel's lock
 * table (/proc/locks) is read every 2 ms for LOCK_PATIENCE_MS: a lock that is gone at one look
 * was held only for moments; the database is not opened. A holder
 * /proc/locks does not list (another machine sharing the folder) is left to the daemon's own
 * checks, which say more.
 *
 * @example
 * const locked = await lockedByProgram(config.home);
 * if (locked) throw locked; // "The database … is locked by pid 4242 (sqlite3), not by a bgjobs daemon…"
 */
export async function lockedByProgram(home: string): Promise<BgError | undefined> {
  const database = join(home, 'bgjobs.db');
  if (!existsSync(database)) return undefined;
  const files = [database, `${database}-wal`, `${database}-shm`];
  const deadline = Date.now() + LOCK_PATIENCE_MS;
  for (;;) {
    const holders = lockHolders(files);
    if (holders.length === 0 || holders.some((holder) => isDaemonCommand(holder.args))) {
      return undefined;
    }
    if (Date.now() >= deadline) return lockedByOther(database, holders, undefined);
    await delay(LOCK_RETRY_MS);
  }
}

/** A command line that runs a daemon: `bgjobs daemon run` or `bgjobs serve`. */
export function isDaemonCommand(args: readonly string[]): boolean {
  const at = args.findIndex((arg) => arg === 'daemon' || arg === 'serve');
  return at > 0 && (args[at] === 'serve' || args[at + 1] === 'run');
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

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The error for a home whose database is not an SQLite file at all (its first 16 bytes say
 * so); undefined for a missing, empty or SQLite file (damage inside one is the daemon's to find).
 */
export function notADatabase(home: string): BgError | undefined {
  const database = join(home, 'bgjobs.db');
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = openSync(database, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (read === 0 || header.equals(SQLITE_HEADER)) return undefined;
  return corruptDatabase(home, 'file is not a database', 'SQLITE_NOTADB');
}

/** The error for a corrupt database: what to move aside, and what is then lost. */
export function corruptDatabase(home: string, why: string, code: string, cause?: unknown): BgError {
  const database = join(home, 'bgjobs.db');
  return new BgError(
    ErrorCode.daemonUnavailable,
    `The database ${database} is corrupt (${why}). Move it aside to start afresh: mv ${database} ${database}.corrupt — bgjobs then starts with no job history (job folders under ${join(home, 'jobs')} stay; jobs still running there are not re-adopted).`,
    { cause, data: { cause: code } },
  );
}

/**
 * `mkdir -p` for the home, failing with the real reason: Node's recursive mkdir reports a
 * read-only file system (EROFS) as ENOENT, so the missing folders are then made one by one.
 */
export function makeHomeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent !== path && !existsSync(parent)) makeHomeFolder(parent);
    mkdirSync(path, { mode: 0o700 });
  }
}
