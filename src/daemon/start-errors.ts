import { setTimeout as delay } from 'node:timers/promises';

import type { BgError } from '../api/errors.js';
import { lockHolders } from '../procfs/file-locks.js';
import { lockedByOther } from './home-errors.js';
import { isDaemonCommand } from './home-precheck.js';
import { databasePath } from './paths.js';
import { liveDaemonPid } from './pid-file.js';

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
  const database = databasePath(home);
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
