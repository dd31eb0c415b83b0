#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: see below. */
/**
 * `bgjobs`, the command a person types (package.json's bin; dist/cli.js loads it too). Exit codes:
 * 0 ok, 1 a domain error, 2 a usage error, 78 a bad setting; `wait` (and `run --wait`) exit with
 * the job's own code, 128 + the signal number for a signal death, 124 when `--timeout` runs
 * out; `wait --until ready` (and `run --wait-ready`) exit 0 once ready, 1 when a failure pattern
 * matched or the job ended first, 124 on timeout.
 *
 * Starting fast is this file's job. It is CommonJS, because Node's ES module loader costs a
 * command line a quarter of a bare `node -e 0` before any of bgjobs runs. `--version` is
 * answered here; any other command line runs cli/main.cjs (the commands, bundled by
 * scripts/bundle-cli.mjs), or the smaller bundle of its verb's commands where one exists, from
 * V8's code cache when one fits: compiling the bundle is the next largest cost. The cache is
 * written beside the bundle by the first run that finds none (or one that this Node cannot
 * use), when that folder is writable; it is an optimisation only.
 */
import type * as Fs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as Vm from 'node:vm';

const fs = require('node:fs') as typeof Fs;
const path = require('node:path') as typeof Path;

/**
 * The bundle of each verb that has one of its own (the jobs verbs: cli/main-jobs.cjs), filled in
 * by scripts/bundle-cli.mjs as it writes the bundles; any other first word runs cli/main.cjs.
 */
const BUNDLE_OF: Record<string, string> = {};

const [first, ...rest] = process.argv.slice(2);
if ((first === '--version' || first === '-V') && rest.length === 0) {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as {
    version: string;
  };
  process.stdout.write(`${manifest.version}\n`);
} else {
  const own = first !== undefined && Object.hasOwn(BUNDLE_OF, first) ? BUNDLE_OF[first] : undefined;
  runCached(path.join(__dirname, 'cli', own ?? 'main.cjs'));
}

/**
 * Runs the bundle as `require` would, compiled from its code cache where one fits. Code that vm
 * compiles cannot `import()` by itself (not from a cache at all), so the bundle's on-demand
 * imports call `_bgImp`, its last parameter (scripts/bundle-cli.mjs renames them), which imports
 * from here.
 */
function runCached(file: string): void {
  const vm = require('node:vm') as typeof Vm;
  const { createRequire } = require('node:module') as typeof NodeModule;
  const cacheFile = `${file}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // None yet: this run makes one.
  }
  // The file is one function expression (scripts/bundle-cli.mjs wraps it), compiled as it is.
  const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At exit, so the cache holds the functions this command compiled as it ran.
    process.once('exit', () => writeCache(cacheFile, () => script.createCachedData()));
  }
  const folder = path.dirname(file);
  const load = (specifier: string): Promise<unknown> => {
    if (!specifier.startsWith('.')) return import(specifier);
    const { pathToFileURL } = require('node:url') as typeof Url;
    return import(pathToFileURL(path.join(folder, specifier)).href);
  };
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, folder, load);
}

/** Writes the cache whole (another CLI may read it at any moment), or not at all. */
function writeCache(cacheFile: string, data: () => Buffer): void {
  const folder = path.dirname(cacheFile);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
    const temporary = path.join(folder, `.${path.basename(cacheFile)}.${process.pid}`);
    fs.writeFileSync(temporary, data());
    fs.renameSync(temporary, cacheFile);
  } catch {
    // A read-only install: every run compiles, as it would without a cache.
  }
}
