// Proves, against the built CLI (`node dist/cli.js mcp`) and a real daemon: a client subscribed to
// `bgjobs://jobs/{id}` is sent `notifications/resources/updated` when the job ends, after the
// daemon recorded the end (how soon is a figure for `npm run bench`), and can read the job's
// resources; the server still exits when the client closes, its watch notwithstanding; and its
// MCP session is its own process, so a `lifetime: "session"` job is stopped once the client
// closes and the server exits, while a persistent one keeps running.
import { resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { connect } from '../../src/daemon/client.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { waitOutputSchema } from '../../src/api/control.js';
import { statusOutputSchema } from '../../src/api/listing.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { procStat } from '../../src/procfs/proc.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let h: TestHome;
let client: Client | undefined;
beforeEach(async () => {
  h = makeHome();
  await startDaemon(h.config(), { env: h.env });
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await stopDaemon(h.config());
  await h.cleanup();
});

async function openClient(): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: h.env,
    cwd: h.home,
    stderr: 'pipe',
  });
  const opened = new Client({ name: 'bgjobs-stdio-resources-test', version: '0.0.0' });
  await opened.connect(transport);
  return { client: opened, pid: transport.pid! };
}

async function call<T>(
  name: string,
  args: Record<string, unknown>,
  schema: { parse: (v: unknown) => T },
): Promise<T> {
  const result = await client!.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return schema.parse(result.structuredContent);
}

it('sends a subscribed client the update when a job ends', async () => {
  let pid: number;
  ({ client, pid } = await openClient());
  const updates: { uri: string; at: number }[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updates.push({ uri: notification.params.uri, at: Date.now() });
  });

  // The server watches the daemon once something is subscribed to; a job starting proves the
  // watch is live (the daemon says nothing when it begins).
  await client.subscribeResource({ uri: 'bgjobs://jobs' });
  await until(
    async () => {
      await call('execute', { command: 'true' }, executeOutputSchema);
      return updates.some((u) => u.uri === 'bgjobs://jobs');
    },
    10_000,
    'the watch to be live',
  );

  for (let i = 0; i < 3; i++) {
    const { job_id } = await call('execute', { command: 'read x' }, executeOutputSchema);
    const uri = `bgjobs://jobs/${job_id}`;
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'interact', arguments: { job_id, input: 'go', timeout_s: 0 } });
    const update = await until(() => updates.find((u) => u.uri === uri), 10_000, uri);
    const job = statusOutputSchema.parse(
      JSON.parse(textOf(await client.readResource({ uri }))) as unknown,
    );
    expect(job.status).toBe('completed');
    // Sent for an end the daemon had recorded (both clocks in whole milliseconds).
    expect(update.at).toBeGreaterThanOrEqual(Date.parse(job.ended_at ?? ''));
  }

  // Its watch of the daemon does not keep the server up once the client is gone.
  await client.close();
  client = undefined;
  await until(() => procStat(pid) === undefined, 10_000, 'the MCP server to exit');
});

it("stops the server's session jobs once it exits, and only those", async () => {
  let pid: number;
  ({ client, pid } = await openClient());
  const session = await call(
    'execute',
    { command: 'sleep 300', lifetime: 'session' },
    executeOutputSchema,
  );
  const persistent = await call('execute', { command: 'sleep 300' }, executeOutputSchema);
  await client.close();
  client = undefined;
  await until(() => procStat(pid) === undefined, 10_000, 'the MCP server to exit');

  const api = await connect(h.config(), { autoStart: false });
  try {
    const waited = waitOutputSchema.parse(
      await api.wait({ job_id: session.job_id, timeout_s: 20 }),
    );
    expect(waited.done).toBe(true);
    expect(waited.jobs[0]?.reason).toContain('session');
    expect((await api.status({ job_id: persistent.job_id })).status).toBe('running');
    await api.kill({ job_id: persistent.job_id, grace_s: 1 });
  } finally {
    api.close();
  }
});

function textOf(result: { contents: Array<Record<string, unknown>> }): string {
  const text = result.contents[0]?.text;
  if (typeof text !== 'string') throw new Error('no text');
  return text;
}
