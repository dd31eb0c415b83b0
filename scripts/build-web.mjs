// Bundles the dashboard's front end (web/) into dist/web: one script, one stylesheet (the
// terminal's included) and the page. No CDN: everything it needs is in these files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import { build } from 'esbuild';

mkdirSync('dist/web', { recursive: true });
const { metafile } = await build({
  entryPoints: { app: 'web/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  // The terminal (xterm.js, most of the weight) is its own chunk, loaded by a PTY job's page.
  splitting: true,
  chunkNames: '[name]-[hash]',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'dist/web',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
// The chunks the page's script imports are fetched with it, not after it has been parsed.
const chunks = metafile.outputs['dist/web/app.js'].imports
  .filter((imported) => imported.kind === 'import-statement')
  .map((imported) => `    <link rel="modulepreload" href="/assets/${basename(imported.path)}" />`);
const page = readFileSync('web/index.html', 'utf8').replace(
  '    <script type="module"',
  [...chunks, '    <script type="module"'].join('\n'),
);
writeFileSync('dist/web/index.html', page);

// The job view for MCP Apps hosts (web/job-view.tsx): one self-contained page, its script and
// stylesheet inline, since the host shows it in a sandboxed frame that fetches nothing.
const view = await build({
  entryPoints: ['web/job-view.tsx'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'dist/web/job-view',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
const inline = (ext) =>
  view.outputFiles
    .filter((file) => file.path.endsWith(ext))
    .map((file) => file.text)
    .join('\n')
    // Nothing in the inlined text may close its element early.
    .replaceAll(/<\/(script|style)/gi, '<\\/$1');
writeFileSync(
  'dist/web/job-view.html',
  [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />',
    '<title>bgjobs job</title>',
    `<style>${inline('.css')}</style>`,
    '</head>',
    '<body class="job-view"><div id="app"></div>',
    `<script>${inline('.js')}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n'),
);
