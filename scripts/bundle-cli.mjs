// Bundles the light part of the CLI — cli/main.js with its commands, the daemon client and
// commander — into one CommonJS file, dist/cli/main.cjs, which bin.cjs runs: `bgjobs ls` loads
// two files instead of forty, and no ES module at all (each ES module file costs about a
// millisecond to resolve and load, and the ES module loader itself a quarter of `node -e 0`;
// the 1.3× `node -e 0` target cannot afford either). The jobs verbs (ls, status, kill…) get a
// bundle of their commands alone, cli/main-jobs.cjs: a third smaller, 4 ms of CPU less per run;
// bin.cjs learns which verbs it serves from the map written into it below.
// What a command loads on demand (the daemon, the MCP server, HTTP, workers) stays tsc's
// per-module files in dist, imported from the bundle by path; `import 'bgjobs'` is unchanged.
//
// One module can so have two copies in one process (api/errors.ts, say: one in the bundle, one
// in dist). They hold no shared state, and isBgError knows a BgError of either copy.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

import { build } from 'esbuild';

const ENTRIES = ['main', 'main-jobs'];
const OUT = resolve('dist/cli');
const { dependencies, version } = JSON.parse(readFileSync('package.json', 'utf8'));
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
 * Node modules the bundle imports but a command line uses only on some paths, loaded on first
 * use: commander requires child_process for executable subcommands bgjobs never defines
 * (loading it costs more than the rest of a start), os serves a signal's number and a home
 * folder nobody asked for when HOME is set, timers/promises the wait for a daemon started on
 * demand. Each stands in as an object whose every export is a getter that loads the module.
 */
const LAZY = ['node:child_process', 'node:os', 'node:timers/promises'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(bundle) {
    bundle.onResolve({ filter: /^node:/ }, (args) => {
      if (!LAZY.includes(args.path)) return undefined;
      // The stand-in's own require is of the real module.
      if (args.namespace === 'lazy') return { path: args.path, external: true };
      return { path: args.path, namespace: 'lazy' };
    });
    bundle.onLoad({ filter: /.*/, namespace: 'lazy' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((name) => name !== 'default');
      return {
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
for (const name of ${JSON.stringify(names)}) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
}`,
        loader: 'js',
      };
    });
  },
};

/** The version, written in: a command line needs no package.json read (nor node:url) for it. */
const inlineVersion = {
  name: 'inline-version',
  setup(bundle) {
    bundle.onLoad({ filter: /\/dist\/version\.js$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(version)};`,
      loader: 'js',
    }));
  },
};

const { outputFiles } = await build({
  entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, resolve(OUT, `${name}.js`)])),
  write: false,
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // Smaller is faster to load; bgjobs' messages never show its code's names.
  minify: true,
  sourcemap: 'linked',
  plugins: [inlineVersion, split, lazyBuiltins],
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
// bin.cjs compiles the bundle as it stands in the file: one function of what a CommonJS module
// gets, and _bgImp. Wrapped here once rather than at each start, where the wrapped copy of the
// source filled a tenth of V8's young generation, enough to make `bgjobs ls` collect garbage
// before it ends. The wrapper's first line holds only the banner's comment, so the map holds.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname, _bgImp) {', '\n})'];
for (const file of outputFiles) {
  const isBundle = file.path.endsWith('.cjs');
  const text = isBundle ? file.text.replace(ON_DEMAND, '_bgImp(') : file.text;
  writeFileSync(file.path, isBundle ? `${WRAPPER[0]}${text}${WRAPPER[1]}` : text);
}

// Which bundle each verb runs, written into bin.cjs where its empty map stands: a file it would
// read at every start otherwise. A verb not in the map runs main.cjs, with every command.
const { JOBS_GROUP } = await import(resolve(OUT, 'program.js'));
const bundleOf = Object.fromEntries(JOBS_GROUP.verbs.map((verb) => [verb, 'main-jobs.cjs']));
const BIN = resolve('dist/bin.cjs');
const EMPTY_MAP = 'const BUNDLE_OF = {};';
const bin = readFileSync(BIN, 'utf8');
if (!bin.includes(EMPTY_MAP)) throw new Error(`bundle-cli: no "${EMPTY_MAP}" in ${BIN}`);
writeFileSync(BIN, bin.replace(EMPTY_MAP, `const BUNDLE_OF = ${JSON.stringify(bundleOf)};`));
