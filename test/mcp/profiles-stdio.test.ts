// Proves, against the built CLI: `bgjobs mcp --profile background-command-executor` serves exactly
// that profile's tools over stdio (and runs a pipeline through the daemon); BGJOBS_MCP_PROFILE
// chooses a profile the same way; and an unknown profile, by option or variable, is a usage error
// (exit 2) that lists the profiles there are.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { stopDaemon } from '../../src/daemon/lifecycle.js';
import { PROFILE_NAMES } from '../../src/mcp/profiles/names.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';
import { textOf } from './harness.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let h: TestHome;
let client: Client | undefined;
beforeEach(() => {
  h = makeHome();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await stopDaemon(h.config());
  await h.cleanup();
});

async function connect(args: string[], env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', ...args],
    env: { ...h.env, ...env },
    cwd: h.home,
    stderr: 'pipe',
  });
  client = new Client({ name: 'bgjobs-profile-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

it('serves the background-command-executor tools over stdio with --profile', async () => {
  const c = await connect(['--profile', 'background-command-executor']);
  const { tools } = await c.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual([
    'cleanup_background_process',
    'execute_command_background',
    'get_command_background_result',
    'list_background_processes',
  ]);

  const started = await c.callTool({
    name: 'execute_command_background',
    arguments: { cmd: 'echo a | tr a b' },
  });
  const { ref_id } = JSON.parse(textOf(started)) as { ref_id: string };
  const result = await until(
    async () => {
      const read = await c.callTool({
        name: 'get_command_background_result',
        arguments: { ref_id },
      });
      const data = JSON.parse(textOf(read)) as { running: boolean; output?: string };
      return data.running ? undefined : data;
    },
    10_000,
    'the command to finish',
  );
  expect(result.output).toBe('b\n');
});

it('takes the profile from BGJOBS_MCP_PROFILE', async () => {
  const c = await connect([], { BGJOBS_MCP_PROFILE: 'mcp-background-job' });
  const { tools } = await c.listTools();
  expect(tools).toHaveLength(7);
  expect(tools.map((tool) => tool.name)).toContain('execute');
});

it.each([
  [['--profile', 'nope'], {}],
  [[], { BGJOBS_MCP_PROFILE: 'nope' }],
])('refuses an unknown profile (%j %j) as a usage error listing the profiles', (args, env) => {
  const run = spawnSync(process.execPath, [CLI, 'mcp', ...args], {
    env: { ...h.env, ...env },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  for (const name of PROFILE_NAMES) expect(run.stderr).toContain(name);
  expect(run.stderr).toContain('"nope"');
});
