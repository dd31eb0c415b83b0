import { join } from 'node:path';

import { BgError, ErrorCode } from '../api/errors.js';

// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH = 107;

export function socketPath(home: string): string {
  const path = join(home, 'daemon.sock');
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new BgError(
      ErrorCode.config,
      `BGJOBS_HOME is too long for a local socket (${path} is over ${MAX_SOCKET_PATH} bytes). Use a shorter BGJOBS_HOME.`,
    );
  }
  return path;
}

/** The home's SQLite database. */
export function databasePath(home: string): string {
  return join(home, 'bgjobs.db');
}

export function daemonLogPath(home: string): string {
  return join(home, 'daemon.log');
}

/** Who holds the home: the daemon's pid and start time, written once it has the lock. */
export function daemonPidPath(home: string): string {
  return join(home, 'daemon.pid');
}
