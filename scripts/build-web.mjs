// Bundles the dashboard's front end (web/) into dist/web: one script, one stylesheet (the
// terminal's included) and the page. No CDN: everything it needs is in these three files.
import { copyFileSync, mkdirSync } from 'node:fs';

import { build } from 'esbuild';

mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: { app: 'web/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'dist/web',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('web/index.html', 'dist/web/index.html');
