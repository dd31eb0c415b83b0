// Proves: `bgjobs --version` and `bgjobs ls` (against a running daemon) load no zod, no MCP SDK
// and no AI SDK, and no ES module at all: only bin.cjs by `require`, which runs the bundled
// commands (cli/main.cjs) itself; `ls` loads no Node module it does not use. What that start buys is measured by the bench
// (bench/cli-start.ts).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cli, makeHome, teardown } from './cli-harness.js';

// Two recorders append the URL of every module loaded to the file BGJOBS_TEST_LOADS names: a
// loader hook for ES modules (given as an --import data URL), and for CommonJS a --require
// preload that wraps Module._load.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.BGJOBS_TEST_LOADS, url + '\\n');
  return next(url, context);
}`;
const REQUIRE_RECORDER = `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let url = request;
  try {
    url = pathToFileURL(Module._resolveFilename(request, parent, isMain)).href;
  } catch {}
  appendFileSync(process.env.BGJOBS_TEST_LOADS, url + '\\n');
  return load.apply(this, arguments);
};`;
const dataUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;
const RECORDER = dataUrl(
  `import { register } from 'node:module'; register(${JSON.stringify(dataUrl(HOOKS))});`,
);
const DIST = `file://${resolve(import.meta.dirname, '../../dist')}/`;

let home: string;
beforeAll(async () => {
  home = makeHome();
  expect((await cli(home, ['daemon', 'start'])).code).toBe(0);
});
afterAll(async () => {
  await teardown(home);
});

/** The modules `bgjobs ARGS` loaded, by URL. */
async function loaded(args: string[], name: string): Promise<string[]> {
  const file = join(home, `${name}.loads`);
  const preload = join(home, 'record-require.cjs');
  writeFileSync(preload, REQUIRE_RECORDER);
  const env = {
    NODE_OPTIONS: `--import=${RECORDER} --require=${preload}`,
    BGJOBS_TEST_LOADS: file,
  };
  const run = await cli(home, args, { env });
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('what starting the CLI loads', () => {
  for (const [args, own] of [
    [['--version'], ['bin.cjs']],
    [['ls'], ['bin.cjs']],
  ] as const) {
    it(`bgjobs ${args.join(' ')}: no zod, MCP SDK or AI SDK; only ${own.join(', ')} of bgjobs`, async () => {
      const urls = await loaded([...args], args.join('-'));
      const heavy = urls.filter((url) =>
        /node_modules\/(zod|@modelcontextprotocol|ai|@ai-sdk|hono|bullmq|better-sqlite3)\//.test(
          url,
        ),
      );
      expect(heavy).toEqual([]);
      // Both recorders may see the entry (the ES module hooks load it when they are present).
      const ours = [
        ...new Set(urls.filter((url) => url.startsWith(DIST)).map((url) => url.slice(DIST.length))),
      ];
      expect(ours.sort()).toEqual([...own].sort());
    });
  }

  it('bgjobs ls loads no Node module it does not use: not os, timers/promises or child_process', async () => {
    // Node's own list of the built-in modules a process loaded, written as it exits.
    const file = join(home, 'builtins.loads');
    const preload = join(home, 'record-builtins.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(file)}, process.moduleLoadList.join('\\n')));`,
    );
    const run = await cli(home, ['ls'], { env: { NODE_OPTIONS: `--require=${preload}` } });
    expect(run.code, run.stderr).toBe(0);
    const builtins = readFileSync(file, 'utf8').split('\n');
    expect(builtins).toContain('NativeModule net');
    for (const unused of ['os', 'timers/promises', 'child_process']) {
      expect(builtins).not.toContain(`NativeModule ${unused}`);
    }
  });

  it('a command that needs more loads it on demand, and the recorder sees it', async () => {
    const urls = await loaded(['daemon', 'status'], 'daemon-status');
    expect(urls).toContain(`${DIST}daemon/lifecycle.js`);
    expect(urls.some((url) => url.includes('/node_modules/zod/'))).toBe(true);
  });

  it('runs the commands from a code cache it writes at the first run, and from scratch when the cache does not fit; each bundle its own', () => {
    // A copy of the bin and its bundle, so the test's cache is its own.
    const root = join(home, 'package');
    const dist = resolve(import.meta.dirname, '../../dist');
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    copyFileSync(join(dist, 'bin.cjs'), join(root, 'dist', 'bin.cjs'));
    for (const bundle of ['main.cjs', 'main-jobs.cjs']) {
      copyFileSync(join(dist, 'cli', bundle), join(root, 'dist', 'cli', bundle));
    }
    copyFileSync(resolve(dist, '../package.json'), join(root, 'package.json'));
    // ls runs the jobs verbs' own bundle, with its own cache; other verbs the bundle of all.
    const cache = join(root, 'dist', 'cli', 'main-jobs.cjs.cache');
    const run = (args: string[]): string => {
      const result = spawnSync(process.execPath, [join(root, 'dist', 'bin.cjs'), ...args], {
        env: { PATH: process.env.PATH, BGJOBS_HOME: home },
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      return `${result.stdout}${result.stderr}`;
    };
    const ls = (): string => run(['ls', '--all']);
    expect(ls()).toMatch(/no jobs/);
    const made = readFileSync(cache);
    expect(made.length).toBeGreaterThan(10_000);
    // A cache that fits is used as it is, not written again.
    const madeAt = statSync(cache).mtimeMs;
    expect(ls()).toMatch(/no jobs/);
    expect(statSync(cache).mtimeMs).toBe(madeAt);
    // A cache this Node cannot use (another version, a torn file) is set aside and rewritten.
    writeFileSync(cache, 'not a code cache');
    expect(ls()).toMatch(/no jobs/);
    expect(readFileSync(cache).length).toBeGreaterThan(10_000);
    expect(existsSync(join(root, 'dist', 'cli', 'main.cjs.cache'))).toBe(false);
    expect(run(['--help'])).toMatch(/Usage: bgjobs/);
    expect(readFileSync(join(root, 'dist', 'cli', 'main.cjs.cache')).length).toBeGreaterThan(
      10_000,
    );
  });
});
