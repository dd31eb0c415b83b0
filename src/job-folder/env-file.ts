import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { z } from 'zod';

const envSchema = z.record(z.string(), z.string());

/**
 * A caller's environment kept on disk for a job (or an agent) that starts later: never in the
 * database, private to the user (0600, in a 0700 folder), and removed when it is no longer
 * needed. Written whole or not at all (a temp file renamed into place).
 *
 * @example
 * writeEnvFile(paths.env, { PATH: '/usr/bin', GITHUB_TOKEN: 'ghp_…' });
 * readEnvFile(paths.env); // → { PATH: '/usr/bin', GITHUB_TOKEN: 'ghp_…' }
 * removeEnvFile(paths.env);
 */
export function writeEnvFile(path: string, env: Record<string, string>): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(env));
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
}

/** The environment kept at PATH; undefined when there is none (it was removed, or never kept). */
export function readEnvFile(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return envSchema.parse(JSON.parse(text));
}

export function removeEnvFile(path: string): void {
  rmSync(path, { force: true });
}
