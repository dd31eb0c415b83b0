// Copies the non-TypeScript runtime files (the monitor script) into dist, bundles the CLI (see
// bundle-cli.mjs) and marks it executable.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/monitor', { recursive: true });
copyFileSync('src/monitor/monitor.sh', 'dist/monitor/monitor.sh');
chmodSync('dist/monitor/monitor.sh', 0o755);
await import('./bundle-cli.mjs');
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/bin.cjs', 0o755);
