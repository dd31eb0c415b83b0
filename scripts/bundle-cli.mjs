// Bundles the light part of the CLI — cli/main.js with its commands, the daemon client and
// commander — into one file written over dist/cli/main.js, so `bgjobs ls` loads three files
// instead of forty: each ES module file costs about a millisecond to resolve and load, which the
// 1.3× `node -e 0` target cannot afford (`bgjobs --version` loads only cli.js and version.js).
// What a command loads on demand (the daemon, the MCP server, HTTP, workers) stays tsc's
// per-module files in dist, imported from the bundle by path; `import 'bgjobs'` is unchanged.
//
// One module can so have two copies in one process (api/errors.ts, say: one in the bundle, one
// in dist). They hold no shared state, and isBgError knows a BgError of either copy.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

import { build } from 'esbuild';

const MAIN = resolve('dist/cli/main.js');
const OUT = dirname(MAIN);
const MARK = '// Bundled by scripts/bundle-cli.mjs.';
if (readFileSync(MAIN, 'utf8').includes(MARK)) {
  throw new Error('dist/cli/main.js is bundled already: run `npm run build`, which starts afresh.');
}
const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys(dependencies).filter((name) => name !== 'commander');
// What the light part imports on demand and still bundles: it is light too.
const LIGHT = new Set(['cli/top.js', 'daemon/client.js'].map((path) => resolve('dist', path)));

/** A path from the bundle to a file of dist, as an import specifier. */
const fromBundle = (path) => {
  const rel = relative(OUT, path);
  return rel.startsWith('.') ? rel : `./${rel}`;
};

const split = {
  name: 'light-and-heavy',
  setup(bundle) {
    // An on-demand import of a heavy module stays an import of tsc's file, by its new path.
    bundle.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const path = resolve(dirname(args.importer), args.path);
      return LIGHT.has(path) ? undefined : { path: fromBundle(path), external: true };
    });
    // A module that finds a file beside itself (version.ts: ../package.json) keeps finding it.
    bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, (args) => {
      const contents = readFileSync(args.path, 'utf8');
      if (!contents.includes('import.meta.url')) return { contents, loader: 'js' };
      const own = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`;
      return { contents: contents.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

/**
 * commander requires child_process when it loads, for executable subcommands bgjobs never
 * defines; loading it costs more than the rest of a command line's start. It gets it on use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(bundle) {
    bundle.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /commander/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: `let real;
const load = () => (real ??= require('node:child_process'));
module.exports = new Proxy({}, { get: (_, key) => load()[key] });`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [MAIN],
  outfile: MAIN,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // Smaller is faster to load; bgjobs' messages never show its code's names.
  minify: true,
  sourcemap: 'linked',
  plugins: [split, lazyChildProcess],
  banner: {
    // commander is CommonJS: its require('node:events') needs a require in an ES module.
    js: `${MARK}\nimport { createRequire as __bgjobsRequire } from 'node:module'; const require = __bgjobsRequire(import.meta.url);`,
  },
  logLevel: 'warning',
});
