// Copies the non-TypeScript runtime files (the monitor scripts) into dist, bundles the CLI (see
// bundle-cli.mjs) and marks it executable.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/monitor', { recursive: true });
for (const script of ['monitor.sh', 'spare-job.sh']) {
  copyFileSync(`src/monitor/${script}`, `dist/monitor/${script}`);
  chmodSync(`dist/monitor/${script}`, 0o755);
}
await import('./bundle-cli.mjs');
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/bin.cjs', 0o755);
