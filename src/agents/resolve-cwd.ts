import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import { BgError, ErrorCode } from '../api/errors.js';

/** An agent's cwd, absolute (relative to its caller's), which must be a folder that exists. */
export function resolveCwd(cwd: string | undefined, callerCwd: string): string {
  const path = resolve(callerCwd, cwd ?? '.');
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir)
    throw new BgError(
      ErrorCode.invalidInput,
      `The cwd ${path} does not exist (or is not a folder). Create it or give another cwd.`,
    );
  return path;
}
