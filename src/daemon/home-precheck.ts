import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type Database from 'better-sqlite3';

import { type BgError, isBgError } from '../api/errors.js';
import { lockHolders } from '../procfs/file-locks.js';
import { corruptDatabase, explainHomeError, lockedByOther } from './home-errors.js';
import { databasePath } from './paths.js';

/**
 * What a client can tell of its home before it starts a daemon (which takes a second or more to
 * load on a busy machine, and would then fail the same way): a home it may not write, a database
 * that is no SQLite file, one another program holds locked, one damaged inside. zod is not
 * loaded here, and SQLite's native module only for the last check, once the others have passed.
 */

/**
 * The first reason this home cannot be used, as the error that names it and the fix; undefined
 * when a daemon may be started. Makes the home when it is missing (as the daemon would).
 *
 * @example
 * const refused = await homeRefusal(config.home);
 * if (refused) throw refused; // "BGJOBS_HOME (/x) is on a read-only file system (EROFS…"
 */
export async function homeRefusal(home: string): Promise<BgError | undefined> {
  return (
    unwritableHome(home) ??
    notADatabase(home) ??
    (await lockedByProgram(home)) ??
    (await damagedDatabase(home))
  );
}

/** The error for a home (or a database in it) this process may not write: read-only, forbidden. */
export function unwritableHome(home: string): BgError | undefined {
  try {
    makeHomeFolder(home);
    accessSync(home, constants.W_OK);
    const database = databasePath(home);
    if (existsSync(database)) accessSync(database, constants.W_OK);
    return undefined;
  } catch (error) {
    // What it cannot name (a file where the folder should be, say) is left to the daemon's start.
    const explained = explainHomeError(error, home);
    return isBgError(explained) ? explained : undefined;
  }
}

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
  const database = databasePath(home);
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

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The error for a home whose database is not an SQLite file at all (its first 16 bytes say
 * so); undefined for a missing, empty or SQLite file (damage inside one is the daemon's to find).
 */
export function notADatabase(home: string): BgError | undefined {
  const database = databasePath(home);
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

// The damage check reads every page (about 3 ms a MB here, idle): above this size it is left to
// the daemon, which names the damage when a read meets it.
export const CHECKED_DATABASE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The error for a database with a valid header that is damaged inside (broken pages): SQLite's
 * quick_check over a copy in memory (no lock taken, no file made beside the database) of a
 * database up to CHECKED_DATABASE_MAX_BYTES whose WAL is empty. Damage found there is confirmed
 * on the file itself, read under SQLite's locks: a copy read while a daemon checkpointed could
 * look torn. Undefined for a sound database, and whenever it cannot be checked: the daemon
 * decides then.
 */
export async function damagedDatabase(home: string): Promise<BgError | undefined> {
  const database = databasePath(home);
  const size = statSync(database, { throwIfNoEntry: false })?.size ?? 0;
  if (size === 0 || size > CHECKED_DATABASE_MAX_BYTES) return undefined;
  // Changes not yet checkpointed (a daemon that was killed) are the daemon's to recover first.
  if ((statSync(`${database}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) return undefined;
  const { default: Sqlite } = await import('better-sqlite3');
  const copy = readFileSync(database);
  // Bytes 18–19 say WAL (2), which a database in memory cannot be: read it as a rollback one.
  if (copy.length > 19) copy.fill(1, 18, 20);
  if (quickCheck(() => new Sqlite(copy)) === undefined) return undefined;
  const problem = quickCheck(
    () => new Sqlite(database, { readonly: true, fileMustExist: true, timeout: 0 }),
  );
  return problem === undefined ? undefined : corruptDatabase(home, problem, 'SQLITE_CORRUPT');
}

/** What quick_check finds wrong with the database OPEN opens; undefined if nothing, or unknown. */
function quickCheck(open: () => Database.Database): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = open();
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
    return problems.length === 0 ? undefined : problems.slice(0, 3).join('; ');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
      ? (error as Error).message
      : undefined;
  } finally {
    db?.close();
  }
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
