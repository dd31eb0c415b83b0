// Builds dist/ once before the tests when it is missing or older than the sources, because
// end-to-end tests run the real CLI (`node dist/bin.cjs`) and the daemon it starts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = existsSync('dist/cli.js') ? statSync('dist/cli.js').mtimeMs : 0;
  // BGJOBS_SKIP_BUILD=1 runs the tests against dist/ as it is (e.g. while src/ is mid-edit).
  if (
    process.env.BGJOBS_SKIP_BUILD !== '1' &&
    built < Math.max(newestMtime('src'), newestMtime('web'))
  ) {
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  }
}
