import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Uint8Array;
  type: string;
}

/**
 * The dashboard's built front end (`dist/web`, made by `npm run build`), read once into memory:
 * it is small, and serving it never touches the disk again. Also found from `src/http` when
 * the tests run the sources.
 */
export function loadFrontEnd(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const dir = webDir();
  if (dir === undefined) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}

function webDir(): string | undefined {
  for (const relative of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}
