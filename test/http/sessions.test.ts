// Proves: 50 MCP sessions over HTTP at once, each subscribed (so each follows job events), then
// cut off mid-stream (a long `wait` aborted, or its stream's socket destroyed) and ended,
// leave nothing behind: no session, no event follower, no open listen stream, and the server
// still serves; a session its client abandons is freed once idle; 2026-era listen streams are
// freed when their clients go.
import { request } from 'node:http';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, expect, it } from 'vitest';

import type { JobsApi, WatchOptions } from '../../src/api/contract.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { readOrCreateToken } from '../../src/http/token.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let engine: EngineHarness | undefined;
let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  await engine?.close();
  server = undefined;
  engine = undefined;
});

/** The engine, with a count of the `watch` calls still open (the event followers). */
function counted(api: JobsApi): { api: JobsApi; watching: () => number } {
  let open = 0;
  const wrapped = Object.create(api) as JobsApi;
  wrapped.watch = async (options: WatchOptions) => {
    open++;
    try {
      await api.watch(options);
    } finally {
      open--;
    }
  };
  return { api: wrapped, watching: () => open };
}

async function open(options: { sessionIdleMs?: number } = {}) {
  engine = await openEngine();
  const { api, watching } = counted(engine.engine);
  server = await startHttpServer({
    api,
    home: engine.home,
    caller: { cwd: engine.home, env: engine.env, reader: 'test' },
    version: '0.0.0-test',
    port: 0,
    log: () => {},
    ...options,
  });
  const token = readOrCreateToken(engine.home);
  const endpoint = server.http.endpoints.get('');
  if (endpoint === undefined) throw new Error('no /mcp endpoint');
  const url = new URL('/mcp', server.url);
  const connect = async (era: 'legacy' | 'modern' = 'legacy') => {
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const client = new Client(
      { name: 'leak-test', version: '0' },
      era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
    );
    await client.connect(transport);
    return { client, transport };
  };
  return { endpoint, watching, connect, token, url, engine };
}

/** Starts a long `wait` in the session and destroys the socket once its stream answers. */
function cutWaitStream(url: URL, token: string, sessionId: string, jobId: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-session-id': sessionId,
      },
    });
    req.on('response', (res) => {
      res.socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'cut',
        method: 'tools/call',
        params: { name: 'wait', arguments: { job_id: jobId, timeout_s: 30 } },
      }),
    );
  });
}

it('frees 50 sessions cut off mid-stream and ended, and keeps serving', async () => {
  const h = await open();
  const baseline = h.watching();
  const job = await h.engine.engine.execute({ command: 'sleep 300' }, { caller: h.engine.caller });
  const sessions = await Promise.all(Array.from({ length: 50 }, () => h.connect()));
  await Promise.all(
    sessions.map(({ client }) => client.subscribeResource({ uri: `bgjobs://jobs/${job.job_id}` })),
  );
  expect(h.endpoint.sessionCount).toBe(50);
  await until(() => h.watching() === baseline + 50, 10_000, 'a follower per session');

  // Mid-stream: half abort a long wait, the other half lose a wait's stream's socket.
  const waits = sessions.slice(0, 25).map(({ client }) => {
    const controller = new AbortController();
    const call = client
      .callTool(
        { name: 'wait', arguments: { job_id: job.job_id, timeout_s: 30 } },
        { signal: controller.signal },
      )
      .catch((error: unknown) => error);
    return { controller, call };
  });
  const cuts = await Promise.all(
    sessions
      .slice(25)
      .map(({ transport }) => cutWaitStream(h.url, h.token, transport.sessionId ?? '', job.job_id)),
  );
  expect(cuts.every((status) => status === 200)).toBe(true);
  for (const wait of waits) wait.controller.abort();
  await Promise.all(waits.map((wait) => wait.call));

  for (const { client, transport } of sessions) {
    await transport.terminateSession();
    await client.close();
  }
  await until(() => h.endpoint.sessionCount === 0, 10_000, 'every session freed');
  await until(() => h.watching() === baseline, 10_000, 'every follower freed');

  const fresh = await h.connect();
  const listed = await fresh.client.callTool({ name: 'list', arguments: { all: true } });
  expect(listed.isError).toBeFalsy();
  await fresh.transport.terminateSession();
  await fresh.client.close();
  await h.engine.engine.kill({ job_id: job.job_id, signal: 'SIGKILL', grace_s: 0 });
});

it('frees a session its client abandoned, once idle', async () => {
  const h = await open({ sessionIdleMs: 300 });
  const baseline = h.watching();
  const abandoned = await h.connect();
  await abandoned.client.subscribeResource({ uri: 'bgjobs://jobs' });
  expect(h.endpoint.sessionCount).toBe(1);
  // No DELETE, no close: the client just goes away.
  await until(() => h.endpoint.sessionCount === 0, 10_000, 'the idle session swept');
  await until(() => h.watching() === baseline, 10_000, 'its follower freed');
  await abandoned.client.close().catch(() => {});
});

it('frees 2026-era listen streams when their clients go', async () => {
  const h = await open();
  const clients = await Promise.all(Array.from({ length: 20 }, () => h.connect('modern')));
  await Promise.all(
    clients.map(({ client }) => client.listen({ resourceSubscriptions: ['bgjobs://jobs'] })),
  );
  expect(h.endpoint.openListens).toBe(20);
  await Promise.all(clients.map(({ client }) => client.close()));
  await until(() => h.endpoint.openListens === 0, 10_000, 'every listen stream freed');
});
