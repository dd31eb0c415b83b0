import { existsSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import type { BgError } from '../api/errors.js';
import { lockHolders } from '../procfs/file-locks.js';
import { liveDaemonPid } from './pid-file.js';
import { isDaemonCommand, lockedByOther } from './start-errors.js';

/**
 * How long the home's lock may stay taken before bgjobs calls it locked: a checkpoint or
 * another program's short transaction holds it for milliseconds, and must not read as "locked".
 * A daemon taking the home waits this long too (see SqliteStore.open).
 */
export const LOCK_PATIENCE_MS = 250;
// How often the lock is tried while waiting: often enough to find a gap of a few milliseconds
// between another program's transactions (SQLite's own busy handler sleeps up to 100 ms).
const RETRY_MS = 2;

/**
 * Takes the exclusive lock of DB (in exclusive locking mode, it is then held until the
 * connection closes), trying every 2 ms for LOCK_PATIENCE_MS; throws SQLite's SQLITE_BUSY when
 * it is still taken then. Blocks the thread meanwhile: for opening a home, not for serving.
 */
export function takeExclusiveLock(db: Database.Database): void {
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('busy_timeout = 0');
  const deadline = Date.now() + LOCK_PATIENCE_MS;
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
    }
  }
}

/**
 * Asked by a client that found no daemon, before it starts one (which takes seconds to load
 * and then fails the same way): is the home's database locked by a program that is no bgjobs
 * daemon? Then the error that names it, at once; otherwise undefined, and a daemon is started
 * as usual — no database yet, the lock free (taken and released here), a live or starting
 * daemon holding it, or a holder /proc/locks does not list (the daemon's own checks say more).
 *
 * @example
 * const locked = lockedByProgram(config.home);
 * if (locked) throw locked; // "The database … is locked by pid 4242 (sqlite3), not by a bgjobs daemon…"
 */
export function lockedByProgram(home: string): BgError | undefined {
  const database = join(home, 'bgjobs.db');
  if (!existsSync(database)) return undefined;
  let cause: unknown;
  try {
    const db = new Database(database, { fileMustExist: true });
    try {
      // As the daemon takes it: exclusive, so that readers count as holders too.
      takeExclusiveLock(db);
      return undefined;
    } catch (error) {
      cause = error;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
  if (!isBusy(cause) || liveDaemonPid(home) !== undefined) return undefined;
  const holders = lockHolders([database, `${database}-wal`, `${database}-shm`]);
  if (holders.length === 0 || holders.some((holder) => isDaemonCommand(holder.args))) {
    return undefined;
  }
  return lockedByOther(database, holders, cause);
}

export function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}
