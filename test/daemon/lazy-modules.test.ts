// Proves: an idle daemon, and one that has run a shell job, has loaded none of the heavy
// packages only some requests need (the AI SDK and its providers, BullMQ and ioredis, hono and
// the MCP SDK, xterm, the native watcher, the shell parser); each loads when first needed (a
// watch agent brings the native watcher in), so the recorder is seen to work.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, type DaemonClient } from '../../src/daemon/client.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

/** Packages a daemon loads only for the requests that need them. */
const ON_DEMAND = [
  'ai',
  '@ai-sdk/anthropic',
  '@ai-sdk/google',
  '@ai-sdk/openai',
  '@ai-sdk/openai-compatible',
  'ollama-ai-provider-v2',
  'bullmq',
  'ioredis',
  'hono',
  '@hono/node-server',
  '@modelcontextprotocol/server',
  '@xterm/headless',
  '@parcel/watcher',
  'mvdan-sh',
];

const RECORDER = pathToFileURL(join(import.meta.dirname, '../fixtures/record-modules.mjs')).href;

let h: TestHome;
let log: string;
let client: DaemonClient | undefined;
beforeEach(() => {
  h = makeHome();
  log = join(h.home, 'modules.log');
});
afterEach(async () => {
  client?.close();
  client = undefined;
  await stopDaemon(h.config()).catch(() => undefined);
  await h.cleanup();
});

/** The packages (by name) the daemon has loaded so far, from the recorder's log. */
function loadedPackages(): Set<string> {
  const names = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

const caller = () => ({ cwd: h.home, env: h.env, reader: 'test' });

describe('what the daemon loads', () => {
  it('loads no on-demand package at start or for a shell job; a watch agent loads the watcher', async () => {
    const env = {
      ...h.env,
      NODE_OPTIONS: `${h.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim(),
      BGJOBS_TEST_MODULE_LOG: log,
    };
    writeFileSync(log, '');
    await startDaemon(h.config(), { env });
    client = await connect(h.config());
    const { job_id } = await client.execute({ command: 'echo hi' }, { caller: caller() });
    expect((await client.wait({ job_id, timeout_s: 30 })).done).toBe(true);

    const atStart = loadedPackages();
    // The recorder works: the store's driver is loaded by every daemon.
    expect(atStart).toContain('better-sqlite3');
    expect(ON_DEMAND.filter((name) => atStart.has(name))).toEqual([]);

    const tree = join(h.home, 'tree');
    mkdirSync(join(tree, 'src'), { recursive: true });
    await client.agents.agent_start(
      { name: 'w', command: 'true', cwd: tree, watch: ['src/**'] },
      { caller: caller() },
    );
    await until(
      async () => (await client?.agents.agent_list({}))?.agents[0]?.state === 'armed',
      20_000,
      'the watch agent to be armed',
    );
    expect(loadedPackages()).toContain('@parcel/watcher');
  });
});
