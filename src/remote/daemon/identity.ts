import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ID = /^[a-z0-9]{12}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The daemon's name in Redis: 12 random characters kept in its BGJOBS_HOME, so the same home
 * keeps the same name across restarts (and finds its runs again) and two daemons sharing one
 * Redis never mix their runs.
 */
export function daemonIdOf(home: string): string {
  const file = join(home, 'remote-id');
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (ID.test(text)) return text;
  } catch {
    // not made yet
  }
  const id = [...randomBytes(12)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, `${id}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return id;
}

/** The key of one run of one job: `<daemon>.<job id>.<run>` (1 for its first start). */
export function runKeyOf(daemon: string, jobId: string, seq: number): string {
  return `${daemon}.${jobId}.${seq}`;
}
