// Bundles the light part of the CLI — cli/main.js with its commands, the daemon client and
// commander — into one CommonJS file, dist/cli/main.cjs, which bin.cjs runs: `bgjobs ls` loads
// two files instead of forty, and no ES module at all (each ES module file costs about a
// millisecond to resolve and load, and the ES module loader itself a quarter of `node -e 0`;
// the 1.3× `node -e 0` target cannot afford either).
// What a command loads on demand (the daemon, the MCP server, HTTP, workers) stays tsc's
// per-module files in dist, imported from the bundle by path; `import 'bgjobs'` is unchanged.
//
// One module can so have two copies in one process (api/errors.ts, say: one in the bundle, one
// in dist). They hold no shared state, and isBgError knows a BgError of either copy.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

import { build } from 'esbuild';

const MAIN = resolve('dist/cli/main.js');
const OUTFILE = resolve('dist/cli/main.cjs');
const OUT = dirname(MAIN);
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
      const own = `__bgjobsFileUrl(${JSON.stringify(fromBundle(args.path))})`;
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

const { outputFiles } = await build({
  entryPoints: [MAIN],
  write: false,
  outfile: OUTFILE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // Smaller is faster to load; bgjobs' messages never show its code's names.
  minify: true,
  sourcemap: 'linked',
  plugins: [split, lazyChildProcess],
  banner: {
    // Where a bundled module asked for import.meta.url: its own file's URL, as if unbundled.
    js: `// Bundled by scripts/bundle-cli.mjs.\nconst __bgjobsFileUrl = (path) => require('node:url').pathToFileURL(require('node:path').join(__dirname, path)).href;`,
  },
  logLevel: 'warning',
});

// bin.cjs runs the bundle through vm (for V8's code cache), where `import()` does not work: each
// on-demand import calls bin.cjs's _bgImp instead, a name as long as `import`, so that the
// source map's columns still hold.
const ON_DEMAND = /\bimport\((?=")/g;
for (const file of outputFiles) {
  const text = file.path.endsWith('.cjs') ? file.text.replace(ON_DEMAND, '_bgImp(') : file.text;
  writeFileSync(file.path, text);
}
