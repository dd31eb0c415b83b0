import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * The project a folder belongs to: the nearest enclosing git work tree, else the client root
 * that contains it, else null. Jobs remember it, and `list` shows the caller's project's jobs.
 */
export function projectOf(dir: string, roots: readonly string[] = []): string | null {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) break;
  }
  const containing = roots
    .map((root) => resolve(root))
    .filter((root) => dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep))
    .sort((a, b) => b.length - a.length);
  return containing[0] ?? null;
}
