import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import { BgError, ErrorCode } from '../api/errors.js';

/** The HTTP token's file in BGJOBS_HOME: private to the user, like the rest of the home. */
export const TOKEN_FILE = 'http-token';

export function tokenPath(home: string): string {
  return join(home, TOKEN_FILE);
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The HTTP token of this home, made at first use (0600). Safe to call concurrently: the first
 * writer's token wins (the file is created exclusively) and every caller reads that one.
 *
 * @example
 * const token = readOrCreateToken(config.home); // 43 characters of base64url
 */
export function readOrCreateToken(home: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = tokenPath(home);
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${newToken()}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readToken(path);
}

/** Replaces the token (the old one stops working at once, and so do dashboard sessions). */
export function rotateToken(home: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = tokenPath(home);
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${newToken()}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return readToken(path);
}

function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) {
    throw new BgError(
      ErrorCode.config,
      `The HTTP token in ${path} is too short. Run \`bgjobs token --rotate\` to make a new one.`,
    );
  }
  return token;
}

/**
 * The token as the server sees it: read once, and again whenever the file changes, so a
 * `bgjobs token --rotate` takes effect on the next request without a restart.
 */
export class TokenSource {
  private readonly path: string;
  private readonly home: string;
  private cached: { stat: Stats | undefined; token: string } | undefined;

  constructor(home: string) {
    this.home = home;
    this.path = tokenPath(home);
  }

  get(): string {
    const stat = statSync(this.path, { throwIfNoEntry: false });
    if (this.cached === undefined || !sameFile(stat, this.cached.stat)) {
      const token = readOrCreateToken(this.home);
      this.cached = { stat: statSync(this.path, { throwIfNoEntry: false }), token };
    }
    return this.cached.token;
  }
}

/**
 * Whether A and B are the same file, unchanged: a rotation renames a new file in place. A file
 * not there (undefined) is never the same.
 */
function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;
}
