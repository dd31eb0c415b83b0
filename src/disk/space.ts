import { statfsSync } from 'node:fs';

import { BgError, ErrorCode } from '../api/errors.js';

/**
 * A new job is admitted only while the disk holding BGJOBS_HOME has this much free: room for
 * its folder, its record, its reserved exit record and a first stretch of output.
 */
export const NEW_JOB_NEEDS_BYTES = 512 * 1024;

/** True for the errors a full disk (or quota) gives: ENOSPC, EDQUOT, SQLITE_FULL. */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = String(error.code);
  return code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL');
}

/** Bytes an unprivileged user may still write on the filesystem holding PATH; Infinity if unknown. */
export function freeBytes(path: string): number {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A size for people: `812 B`, `12.5 KiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The error for a disk too full to take a new job, with the numbers. */
export function diskFullError(home: string, free: number, needed: number): BgError {
  return new BgError(
    ErrorCode.limitReached,
    `The disk holding ${home} is full: ${formatBytes(free)} free, a new job needs ${formatBytes(needed)}. ` +
      'Free space there (remove finished jobs with `remove`, or delete other files), then try again. ' +
      'Jobs already running go on, and their exit codes are recorded as soon as there is room.',
    { data: { free_bytes: free, needed_bytes: needed } },
  );
}

/**
 * Refuses a new job while the disk holding HOME has less than NEW_JOB_NEEDS_BYTES free.
 *
 * @example
 * checkRoomForJob(config.home); // throws BgError limit_reached "The disk holding … is full: …"
 */
export function checkRoomForJob(home: string, needed = NEW_JOB_NEEDS_BYTES): void {
  const free = freeBytes(home);
  if (free < needed) throw diskFullError(home, free, needed);
}
