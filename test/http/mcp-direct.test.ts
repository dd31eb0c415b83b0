// Proves: the plain calls of an open 2025-era session, which the server answers on Node's own
// request and response (src/http/mcp-direct.ts), are guarded exactly as every other request —
// a wrong or missing token, a foreign Host or Origin is refused (401/403), logged once, and
// runs nothing, though the session is open — and are answered as the app answers: one JSON body
// with the session id and the security headers, on `/mcp` and on a profile's path. A body that
// is not JSON, too large, or not one plain request is passed on to the app, already read, and
// answered as before; an unknown session is the app's 404, a path the app does not route to MCP
// (a trailing slash) the app's to answer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { openHttp, type HttpHarness } from './harness.js';
import { openSession, postMcp, toolCall } from './mcp-session.js';

let h: HttpHarness;
afterEach(async () => h?.close());

describe('a plain call of an open session', () => {
  it('is refused with a wrong token, a foreign Host or Origin, and runs nothing', async () => {
    h = await openHttp();
    const session = await openSession(h);
    const marker = join(h.engine.home, 'ran');
    const call = toolCall(2, 'execute', { command: `touch ${marker}` });
    const bad: [Record<string, string>, number][] = [
      [{ authorization: 'Bearer not-the-token' }, 401],
      [{ authorization: '' }, 401],
      [{ host: 'evil.example:7717' }, 403],
      [{ origin: 'https://evil.example' }, 403],
    ];
    for (const [headers, status] of bad) {
      const reply = await postMcp(h, call, { ...session, ...headers });
      expect(reply.status, JSON.stringify(headers)).toBe(status);
    }
    expect(h.refusals()).toHaveLength(bad.length);
    expect(h.server.direct.served).toBe(0);
    expect((await h.engine.engine.list({ all: true })).total).toBe(0);
    expect(existsSync(marker)).toBe(false);

    // The same call with the right headers runs: the refusals were the guards' doing.
    const good = await postMcp(h, call, session);
    expect(good.status).toBe(200);
    expect(h.server.direct.served).toBe(1);
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: 10_000 });
    expect(h.refusals()).toHaveLength(bad.length);
  });

  it('is answered as one JSON body with the session id and the security headers', async () => {
    h = await openHttp();
    for (const path of ['/mcp', '/mcp/mcp-background-job']) {
      const session = await openSession(h, path);
      const reply = await postMcp(h, toolCall(7, 'list', {}), session, path);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(reply.headers['mcp-session-id']).toBe(session['mcp-session-id']);
      expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(reply.body)).toMatchObject({ jsonrpc: '2.0', id: 7, result: {} });
    }
    expect(h.server.direct.served).toBe(2);
  });

  it('passes a body that is not one plain request on to the app, already read', async () => {
    h = await openHttp();
    const session = await openSession(h);
    const broken = await postMcp(h, '{"jsonrpc": "2.0", "id": 3, "method": ', session);
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ error: { code: -32700 } });
    const big = await postMcp(h, JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }), session);
    expect(big.status).toBe(413);
    // A batch is not a plain request: the SDK's transport answers it, as a stream.
    const batch = await postMcp(
      h,
      JSON.stringify([JSON.parse(toolCall(4, 'list', {})), JSON.parse(toolCall(5, 'list', {}))]),
      session,
    );
    expect(batch.status).toBe(200);
    expect(batch.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(batch.body).toContain('"id":4');
    expect(batch.body).toContain('"id":5');
    expect(h.server.direct.served).toBe(0);
    // The session is still open and answers as before.
    const after = await postMcp(h, toolCall(6, 'list', {}), session);
    expect(JSON.parse(after.body)).toMatchObject({ id: 6, result: {} });
    expect(h.server.direct.served).toBe(1);

    const unknown = await postMcp(h, toolCall(8, 'list', {}), {
      ...session,
      'mcp-session-id': 'no-such-session',
    });
    expect(unknown.status).toBe(404);
    // Paths the app does not route to MCP (a trailing slash) get its answer, not one from here:
    // they fall to the dashboard, which wants its cookie.
    for (const path of ['/mcp/', '/mcp/mcp-background-job/']) {
      const stray = await postMcp(h, toolCall(9, 'list', {}), session, path);
      expect(stray.status, path).toBe(401);
      expect(stray.body).not.toContain('"jsonrpc"');
    }
    expect(h.server.direct.served).toBe(1);
  });
});
