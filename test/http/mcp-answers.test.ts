// Proves: in a 2025-era session, a request that asked for no progress is answered with one JSON
// body (not an event stream), while `wait` with a progressToken still streams its progress
// notifications before the outcome, over the same session; a call answered as JSON that is still
// running when its session is closed gets an error, not silence; what the SDK's transport refuses
// in a session (a second initialize, a client that cannot take a stream, an unknown protocol
// version) is still refused; a body that is not JSON, or too large, is refused with a JSON-RPC
// error and opens no session.
import { request } from 'node:http';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { send } from './client.js';
import { openHttp, type HttpHarness } from './harness.js';
import { openSession, postMcp, toolCall } from './mcp-session.js';

let h: HttpHarness;
afterEach(async () => h?.close());

const post = (body: string, headers: Record<string, string> = {}) => postMcp(h, body, headers);

/** POSTs BODY and calls `seen` with all the answer so far, each time more of it arrives. */
function streamPost(
  body: string,
  headers: Record<string, string>,
  seen: (text: string) => void,
): Promise<{ type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/mcp', h.url),
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${h.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          seen(text);
        });
        res.on('end', () => resolve({ type: res.headers['content-type'] ?? '', body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('answers of a 2025-era MCP session over HTTP', () => {
  it('answers a plain call with one JSON body, and streams a wait that asked for progress', async () => {
    h = await openHttp();
    const session = await openSession(h);

    const started = await post(toolCall(2, 'execute', { command: 'sleep 300' }), session);
    expect(started.headers['content-type']).toMatch(/^application\/json/);
    const message = JSON.parse(started.body) as {
      id: number;
      result: { structuredContent: unknown };
    };
    expect(message.id).toBe(2);
    const job = executeOutputSchema.parse(message.result.structuredContent);

    // The job cannot end by itself: it is killed once the first progress notification came.
    const body = toolCall(3, 'wait', { job_id: job.job_id, timeout_s: 50 }, { progressToken: 'p' });
    const waited = await streamPost(body, session, (text) => {
      if (!text.includes('notifications/progress')) return;
      void h.engine.engine.kill({ job_id: job.job_id, grace_s: 1 });
    });
    expect(waited.type).toMatch(/^text\/event-stream/);
    const events = waited.body
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map(
        (line) =>
          JSON.parse(line.slice(6)) as {
            method?: string;
            id?: number;
            result?: { structuredContent?: unknown };
          },
      );
    const progress = events.filter((event) => event.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = events.at(-1);
    expect(last?.id).toBe(3);
    const outcome = waitOutputSchema.parse(last?.result?.structuredContent);
    expect(outcome.jobs[0]?.status).toBe('killed');
  });

  it('answers a call still running when its session closes with an error', async () => {
    h = await openHttp();
    const session = await openSession(h);
    const started = await post(toolCall(2, 'execute', { command: 'sleep 300' }), session);
    const { job_id } = executeOutputSchema.parse(
      (JSON.parse(started.body) as { result: { structuredContent: unknown } }).result
        .structuredContent,
    );
    const waiting = post(toolCall(3, 'wait', { job_id, timeout_s: 50 }), session);
    const endpoint = h.server.http.endpoints.get('');
    await vi.waitFor(() => expect(endpoint?.callsUnderway).toBe(1), { timeout: 10_000 });
    const closed = await send(h.url, 'DELETE', '/mcp', {
      authorization: `Bearer ${h.token}`,
      ...session,
    });
    expect(closed.status).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: 3, error: { code: -32001 } });
    expect(endpoint?.sessionCount).toBe(0);
    expect(endpoint?.callsUnderway).toBe(0);
    await h.engine.engine.kill({ job_id, grace_s: 1 });
  });

  it('still refuses in a session what the SDK refuses', async () => {
    h = await openHttp();
    const session = await openSession(h);
    const again = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'x', version: '0' },
        },
      }),
      session,
    );
    expect(again.status).toBe(400);
    const call = toolCall(3, 'list', {});
    const noStream = await post(call, { ...session, accept: 'application/json' });
    expect(noStream.status).toBe(406);
    const unknown = await post(call, { ...session, 'mcp-protocol-version': '1999-01-01' });
    expect(unknown.status).toBe(400);
    const fine = await post(call, session);
    expect(fine.status).toBe(200);
    expect(JSON.parse(fine.body)).toMatchObject({ id: 3, result: {} });
  });

  it('refuses a body that is not JSON, or too large, and opens no session', async () => {
    h = await openHttp();
    const bad = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: -32700 } });
    const big = await post(JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    const endpoint = h.server.http.endpoints.get('');
    expect(endpoint?.sessionCount).toBe(0);
  });
});
