// Proves: every bad request is refused before anything is done, and logged once — MCP with no
// token, a wrong token, a foreign Host (DNS rebinding) or a foreign Origin; the dashboard with
// no cookie (page, API and event stream give nothing), a used or forged login link, or a
// change with no (or a wrong) CSRF token, or from a foreign Origin. The good request next to
// each bad one works, so the refusal is the guard's doing; every response carries the CSP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { makeLoginCode } from '../../src/http/login.js';
import { send } from './client.js';
import { login } from './client.js';
import { openHttp, type HttpHarness } from './harness.js';
import { initializeBody, MCP_HEADERS } from './mcp-session.js';

let h: HttpHarness;
afterEach(async () => h?.close());

describe('MCP over HTTP', () => {
  it('refuses a missing or wrong token, a foreign Host or Origin: 401/403, one log line each', async () => {
    h = await openHttp();
    const auth = { authorization: `Bearer ${h.token}` };
    const bad: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer not-the-token' }, 401],
      [{ authorization: `Basic ${h.token}` }, 401],
      [{ ...auth, host: 'evil.example:7717' }, 403],
      [{ ...auth, origin: 'https://evil.example' }, 403],
    ];
    const initialize = (headers: Record<string, string>) =>
      send(h.url, 'POST', '/mcp', { ...MCP_HEADERS, ...headers }, initializeBody('x'));
    for (const [headers, status] of bad) {
      const reply = await initialize(headers);
      expect(reply.status, JSON.stringify(headers)).toBe(status);
      expect(reply.headers['mcp-session-id']).toBeUndefined();
    }
    expect(h.refusals()).toHaveLength(bad.length);
    expect(h.server.http.endpoints.get('')?.sessionCount).toBe(0);

    const good = await initialize(auth);
    expect(good.status).toBe(200);
    expect(good.headers['mcp-session-id']).toBeDefined();
    expect(good.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('runs nothing for a tool call with a wrong token', async () => {
    h = await openHttp();
    const marker = join(h.engine.home, 'ran');
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'execute', arguments: { command: `touch ${marker}` } },
    });
    const reply = await send(
      h.url,
      'POST',
      '/mcp',
      { ...MCP_HEADERS, authorization: 'Bearer x' },
      call,
    );
    expect(reply.status).toBe(401);
    expect((await h.engine.engine.list({ all: true })).total).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('the dashboard', () => {
  it('gives nothing without the session cookie', async () => {
    h = await openHttp();
    await h.engine.engine.execute({ command: 'echo secret-output' }, { caller: h.engine.caller });
    for (const path of ['/', '/jobs/abcdefgh', '/api/events', '/api/session', '/assets/app.js']) {
      const reply = await send(h.url, 'GET', path);
      expect(reply.status, path).toBe(401);
      expect(reply.body).not.toContain('secret-output');
    }
    const forged = await send(h.url, 'GET', '/', { cookie: 'bgjobs_session=abc.def' });
    expect(forged.status).toBe(401);
    expect(h.refusals()).toHaveLength(6);
  });

  it('takes a login link once, and never one made with another token', async () => {
    h = await openHttp();
    const code = makeLoginCode(h.token);
    expect((await send(h.url, 'GET', `/login?code=${code}`)).status).toBe(303);
    expect((await send(h.url, 'GET', `/login?code=${code}`)).status).toBe(401);
    const other = makeLoginCode('some-other-token-of-some-length');
    expect((await send(h.url, 'GET', `/login?code=${other}`)).status).toBe(401);
  });

  it('refuses a change without CSRF proof or from a foreign Origin, and does nothing', async () => {
    h = await openHttp();
    const job = await h.engine.engine.execute(
      { command: 'sleep 300' },
      { caller: h.engine.caller },
    );
    const { cookie, csrf } = await login(h.url, h.token);
    const kill = `/api/jobs/${job.job_id}/kill`;
    const json = { cookie, 'content-type': 'application/json' };
    const bad: Record<string, string>[] = [
      {},
      { 'x-csrf-token': 'wrong' },
      { 'x-csrf-token': csrf, origin: 'https://evil.example' },
      { 'x-csrf-token': csrf, host: 'rebound.example' },
    ];
    for (const headers of bad) {
      const reply = await send(h.url, 'POST', kill, { ...json, ...headers }, '{}');
      expect(reply.status, JSON.stringify(headers)).toBe(403);
    }
    expect(h.refusals()).toHaveLength(bad.length);
    const status = await h.engine.engine.status({ job_id: job.job_id });
    expect(status.status).toBe('running');

    const good = await send(h.url, 'POST', kill, { ...json, 'x-csrf-token': csrf }, '{}');
    expect(good.status).toBe(200);
    expect((await h.engine.engine.status({ job_id: job.job_id })).status).toBe('killed');
  });
});
