// Proves, against the built CLI (`node dist/cli.js mcp`) and a real daemon: `output` with
// new_only keeps its read position across a restart of the stdio MCP server (the same client in
// the same project), says so (`position: "continued"`), and says `start` on a first read; a
// second server of the same client in the same project while the first lives gets positions of
// its own, and its result says they were reset.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { stopDaemon, startDaemon } from '../../src/daemon/lifecycle.js';
import { outputOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { procStat } from '../../src/procfs/proc.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let h: TestHome;
let project: string;
const open: Client[] = [];
beforeEach(() => {
  h = makeHome();
  project = join(realpathSync(h.home), 'project');
  mkdirSync(project);
});
afterEach(async () => {
  for (const client of open) await client.close();
  await stopDaemon(h.config());
  await h.cleanup();
});

/** A stdio MCP server in the project folder, with a client that calls itself `agent-x`. */
async function server(): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: h.env,
    cwd: project,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'agent-x', version: '0.0.0' });
  await client.connect(transport);
  open.push(client);
  return { client, pid: transport.pid! };
}

async function readNew(client: Client, job_id: string) {
  const result = await client.callTool({ name: 'output', arguments: { job_id, new_only: true } });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
  return { data: outputOutputSchema.parse(result.structuredContent), text };
}

it('keeps new_only read positions across a restart of the MCP server', async () => {
  await startDaemon(h.config(), { env: h.env });
  const go = join(project, 'go');
  const first = await server();
  const started = await first.client.callTool({
    name: 'execute',
    arguments: {
      command: `echo one; while [ ! -e '${go}' ]; do sleep 0.05; done; echo two; sleep 300`,
    },
  });
  const { job_id } = executeOutputSchema.parse(started.structuredContent);
  const stdoutFile = join(h.home, 'jobs', job_id, 'stdout');
  await until(() => readFileSync(stdoutFile, 'utf8') === 'one\n', 20_000, 'the first line');
  const before = await readNew(first.client, job_id);
  expect(before.data).toMatchObject({ stdout: 'one\n', position: 'start' });

  // The client restarts its server; meanwhile the job writes on.
  await first.client.close();
  await until(() => procStat(first.pid) === undefined, 20_000, 'the first server to exit');
  writeFileSync(go, '');
  await until(() => readFileSync(stdoutFile, 'utf8') === 'one\ntwo\n', 20_000, 'the second line');

  const second = await server();
  const after = await readNew(second.client, job_id);
  expect(after.data).toMatchObject({ stdout: 'two\n', position: 'continued' });

  // A second chat of the same client in the same project, side by side: positions of its own.
  const third = await server();
  const beside = await readNew(third.client, job_id);
  expect(beside.data).toMatchObject({ stdout: 'one\ntwo\n', position: 'reset' });
  expect(beside.text).toContain('Your read position was reset');
  // The first server's successor keeps following its own.
  expect((await readNew(second.client, job_id)).data).toMatchObject({
    stdout: '',
    position: 'continued',
  });
  await second.client.callTool({ name: 'kill', arguments: { job_id, grace_s: 0 } });
});
