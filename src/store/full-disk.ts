import { BgError, ErrorCode } from '../api/errors.js';
import { isDiskFull } from '../disk/space.js';

/**
 * Runs a database write; when it fails for want of space, asks MAKE_ROOM to free some (the
 * disk reserve) and tries once more. A write that still fails is a `limit_reached` BgError
 * naming the full disk: the caller keeps what it meant to write and tries again later.
 */
export function writeOrMakeRoom<T>(action: () => T, makeRoom: () => boolean, path: string): T {
  let failure: unknown;
  try {
    return action();
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    failure = error;
  }
  if (makeRoom()) {
    try {
      return action();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      failure = error;
    }
  }
  throw new BgError(
    ErrorCode.limitReached,
    `The disk holding ${path} is full, so bgjobs cannot write to its database. Free space there; what could not be written (a job's end) is recorded as soon as there is room.`,
    { cause: failure, data: { disk_full: true } },
  );
}
