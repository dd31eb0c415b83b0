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
export const LOCK_PATIENCE_MS = 500;

/**
 * Asked by a client that found no daemon, before it starts one (which takes seconds to load
 * and then fails the same way): is the home's database locked by a program that is no bgjobs
 * daemon? Then the error that names it, at once; otherwise undefined, and a daemon is started
 * as usual — no database yet, the lock free (taken and released here), a live or starting
 * daemon holding it, or a holder /proc/locks does not list (the daemon's own checks say more).
 *
 * @example
 * const locked = await lockedByProgram(config.home);
 * if (locked) throw locked; // "The database … is locked by pid 4242 (sqlite3), not by a bgjobs daemon…"
 */
export function lockedByProgram(home: string): BgError | undefined {
  const database = join(home, 'bgjobs.db');
  if (!existsSync(database)) return undefined;
  let cause: unknown;
  try {
    const db = new Database(database, { fileMustExist: true, timeout: LOCK_PATIENCE_MS });
    try {
      // As the daemon takes it: exclusive, so that readers count as holders too.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
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

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}
