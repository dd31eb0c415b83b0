import type Database from 'better-sqlite3';

import { LOCK_PATIENCE_MS, LOCK_RETRY_MS } from './home-precheck.js';

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
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_RETRY_MS);
    }
  }
}

export function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}
