// Proves: a real MCP client over Streamable HTTP, on both protocol eras (2025 sessions and
// 2026-07-28 per-request), runs the stdio suite's core scenarios against the HTTP server:
// execute, wait, output, interact, kill, reading resources, and subscriptions (resources/
// subscribe on a 2025 session, subscriptions/listen on 2026) that report a job's end; a
// profile is served at /mcp/PROFILE with that profile's tools.
import type { Client, CallToolResult, NotificationMethod } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { interactOutputSchema, killOutputSchema, waitOutputSchema } from '../../src/api/control.js';
import { statusOutputSchema } from '../../src/api/listing.js';
import { outputOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { until } from '../helpers/home.js';
import { ERAS, openHttp, type HttpHarness } from './harness.js';

let h: HttpHarness;
afterEach(async () => h?.close());

function ok(result: CallToolResult): Record<string, unknown> {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return ok(await client.callTool({ name, arguments: args }));
}

function record(client: Client, method: NotificationMethod): string[] {
  const uris: string[] = [];
  client.setNotificationHandler(method, (notification) => {
    const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri === 'string') uris.push(uri);
  });
  return uris;
}

describe.each(ERAS)('MCP over Streamable HTTP, %s era', (era) => {
  it('executes, waits, reads output, interacts and kills', async () => {
    h = await openHttp();
    const client = await h.client(era);

    const started = executeOutputSchema.parse(
      await call(client, 'execute', { command: 'printf "hello\\nworld\\n"', name: 'greeter' }),
    );
    const waited = waitOutputSchema.parse(await call(client, 'wait', { job_id: 'greeter' }));
    expect(waited).toMatchObject({ done: true, jobs: [{ status: 'completed', exit_code: 0 }] });
    const output = outputOutputSchema.parse(
      await call(client, 'output', { job_id: started.job_id }),
    );
    expect(output.stdout).toBe('hello\nworld\n');

    const reader = executeOutputSchema.parse(
      await call(client, 'execute', { command: 'read name; echo "hi $name"' }),
    );
    const answer = interactOutputSchema.parse(
      await call(client, 'interact', { job_id: reader.job_id, input: 'Ada', expect: 'hi' }),
    );
    expect(answer.stdout).toContain('hi Ada');

    const sleeper = executeOutputSchema.parse(
      await call(client, 'execute', { command: 'sleep 300' }),
    );
    const killed = killOutputSchema
      .omit({ message: true })
      .parse(await call(client, 'kill', { job_id: sleeper.job_id, grace_s: 1 }));
    expect(killed.status).toBe('killed');
    const status = statusOutputSchema.parse(
      await call(client, 'status', { job_id: sleeper.job_id }),
    );
    expect(status.status).toBe('killed');
  });

  it('reads resources and reports a subscribed job when it ends', async () => {
    h = await openHttp();
    const client = await h.client(era);
    const updated = record(client, 'notifications/resources/updated');
    const job = executeOutputSchema.parse(await call(client, 'execute', { command: 'read x' }));
    const uri = `bgjobs://jobs/${job.job_id}`;
    const listen =
      era === 'legacy'
        ? await client.subscribeResource({ uri }).then(() => undefined)
        : await client.listen({ resourceSubscriptions: [uri] });

    await call(client, 'interact', { job_id: job.job_id, input: 'go', timeout_s: 0 });
    await until(() => updated.includes(uri), 10_000, 'the update of the subscribed job');
    const read = await client.readResource({ uri });
    const [content] = read.contents;
    const text = content !== undefined && 'text' in content ? content.text : '';
    expect(statusOutputSchema.parse(JSON.parse(text)).status).toBe('completed');
    await listen?.close();
  });

  it('serves a profile at /mcp/PROFILE', async () => {
    h = await openHttp();
    const client = await h.client(era, '/mcp/mcp-background-job');
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).not.toContain('wait');
    expect(names.length).toBeGreaterThan(0);
    const bgjobs = await h.client(era, '/mcp');
    expect((await bgjobs.listTools()).tools.map((tool) => tool.name)).toContain('wait');
  });
});
