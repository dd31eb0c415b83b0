// Proves: `bgjobs --version` and `bgjobs ls` (against a running daemon) load no zod, no MCP SDK
// and no AI SDK, and only a few of bgjobs' own files: the entry, the version, and the bundled
// commands (the start time they buy is measured by the bench, bench/cli-start.ts).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cli, makeHome, teardown } from './cli-harness.js';

// A loader hook that appends the URL of every module loaded (ES modules, and CommonJS ones
// imported from them) to the file BGJOBS_TEST_LOADS names; given to node as --import data URLs.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.BGJOBS_TEST_LOADS, url + '\\n');
  return next(url, context);
}`;
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
  const env = { NODE_OPTIONS: `--import=${RECORDER}`, BGJOBS_TEST_LOADS: file };
  const run = await cli(home, args, { env });
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('what starting the CLI loads', () => {
  for (const [args, own] of [
    [['--version'], ['cli.js', 'version.js']],
    [['ls'], ['cli.js', 'version.js', 'cli/main.js']],
  ] as const) {
    it(`bgjobs ${args.join(' ')}: no zod, MCP SDK or AI SDK; only ${own.join(', ')} of bgjobs`, async () => {
      const urls = await loaded([...args], args.join('-'));
      const heavy = urls.filter((url) =>
        /node_modules\/(zod|@modelcontextprotocol|ai|@ai-sdk|hono|bullmq|better-sqlite3)\//.test(
          url,
        ),
      );
      expect(heavy).toEqual([]);
      const ours = urls.filter((url) => url.startsWith(DIST)).map((url) => url.slice(DIST.length));
      expect(ours.sort()).toEqual([...own].sort());
    });
  }

  it('a command that needs more loads it on demand, and the recorder sees it', async () => {
    const urls = await loaded(['daemon', 'status'], 'daemon-status');
    expect(urls).toContain(`${DIST}daemon/lifecycle.js`);
    expect(urls.some((url) => url.includes('/node_modules/zod/'))).toBe(true);
  });
});
