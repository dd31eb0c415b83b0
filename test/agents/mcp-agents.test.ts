// Against the built CLI (`bgjobs mcp`) and a real daemon: agent_start arms an agent, agent_list
// shows its state and last run, a client subscribed to bgjobs://agents/{name} is notified when a
// run ends and can read the resource, `status` of a run gives its agent and trigger, and
// agent_stop with remove deletes it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, expect, it } from 'vitest';

import {
  agentListOutputSchema,
  agentStartOutputSchema,
  agentStopOutputSchema,
} from '../../src/agents/api.js';
import { statusOutputSchema } from '../../src/api/listing.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let h: TestHome;
let client: Client;
beforeEach(async () => {
  h = makeHome();
  await startDaemon(h.config(), { env: h.env });
  client = new Client({ name: 'bgjobs-agents-test', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      env: h.env,
      cwd: h.home,
      stderr: 'pipe',
    }),
  );
});
afterEach(async () => {
  await client.close();
  await stopDaemon(h.config());
  await h.cleanup();
});

async function call<T>(
  name: string,
  args: Record<string, unknown>,
  schema: { parse: (v: unknown) => T },
): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return schema.parse(result.structuredContent);
}

it('notifies a subscriber of bgjobs://agents/{name} when a run ends', async () => {
  const project = join(h.home, 'project');
  mkdirSync(project);
  const started = await call(
    'agent_start',
    {
      name: 'docs',
      command: 'printf "%s" "$BGJOBS_CHANGED"',
      watch: '*.md',
      debounce_ms: 100,
      cwd: project,
    },
    agentStartOutputSchema,
  );
  expect(started).toMatchObject({ name: 'docs', state: 'armed', replaced: false });

  const updated: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updated.push(String(notification.params.uri));
  });
  await client.subscribeResource({ uri: 'bgjobs://agents/docs' });
  writeFileSync(join(project, 'README.md'), '# hi\n');
  await until(() => updated.includes('bgjobs://agents/docs'), 20_000, 'the agent update');

  const { agents } = await call('agent_list', {}, agentListOutputSchema);
  expect(agents[0]).toMatchObject({
    name: 'docs',
    state: 'armed',
    runs: 1,
    last_run: { status: 'completed', exit_code: 0 },
  });
  const run = agents[0]?.last_run?.job_id ?? '';
  const status = await call('status', { job_id: run }, statusOutputSchema);
  expect(status).toMatchObject({
    agent: 'docs',
    trigger: { kind: 'watch', changed: ['README.md'] },
  });

  const read = await client.readResource({ uri: 'bgjobs://agents/docs' });
  const text = read.contents[0] && 'text' in read.contents[0] ? read.contents[0].text : '';
  expect(JSON.parse(text)).toMatchObject({ name: 'docs', last_run: { job_id: run } });

  const stopped = await call('agent_stop', { name: 'docs', remove: true }, agentStopOutputSchema);
  expect(stopped.state).toBe('removed');
  expect((await call('agent_list', {}, agentListOutputSchema)).agents).toEqual([]);
});

it('refuses a bad definition as a tool error that says what to fix', async () => {
  const result = await client.callTool({
    name: 'agent_start',
    arguments: { name: 'bad', command: 'true', every: '100ms' },
  });
  expect(result.isError).toBe(true);
  expect(JSON.stringify(result.content)).toMatch(/under 1 s/);
});
