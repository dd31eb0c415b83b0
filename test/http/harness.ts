// A real HTTP server (MCP over Streamable HTTP and the dashboard) over the real in-process
// engine, on a free loopback port, in a fresh BGJOBS_HOME; and real MCP clients for it.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { Agents } from '../../src/agents/agents.js';
import { jobsHost } from '../../src/agents/jobs-host.js';
import { serveAgents } from '../../src/agents/serve-agents.js';
import type { Caller } from '../../src/api/caller.js';
import { agentStoreOf } from '../../src/store/agent-store.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { readOrCreateToken } from '../../src/http/token.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';

export type Era = 'legacy' | 'modern';
export const ERAS: readonly Era[] = ['legacy', 'modern'];

export interface HttpHarness {
  engine: EngineHarness;
  /** The agents the server shows, when asked for (`openHttp(…, { agents: true })`). */
  agents: Agents | undefined;
  server: RunningHttpServer;
  url: string;
  token: string;
  /** Every line the server logged (refusals among them). */
  logs: string[];
  /** The lines of `logs` that log a refused request. */
  refusals(): string[];
  /** A connected MCP client of `/mcp` (or `/mcp/PROFILE`), closed with the harness. */
  client(era?: Era, path?: string): Promise<Client>;
  close(): Promise<void>;
}

export async function openHttp(
  settings: Record<string, string> = {},
  options: { agents?: boolean } = {},
): Promise<HttpHarness> {
  const engine = await openEngine(settings);
  const logs: string[] = [];
  // The daemon's agents, built as the daemon builds them, for the agents view.
  const agents =
    options.agents === true
      ? new Agents({
          store: agentStoreOf(engine.engine.store),
          host: jobsHost(engine.engine),
          home: engine.home,
          log: () => undefined,
        })
      : undefined;
  const caller: Caller = { cwd: engine.home, env: engine.env, reader: 'http-test' };
  const server = await startHttpServer({
    api: engine.engine,
    home: engine.home,
    caller,
    agents:
      agents === undefined
        ? undefined
        : serveAgents(agents, engine.engine, agentStoreOf(engine.engine.store)),
    version: '0.0.0-test',
    port: 0,
    log: (line) => logs.push(line),
  });
  const token = readOrCreateToken(engine.home);
  const clients: Client[] = [];
  return {
    engine,
    agents,
    server,
    url: server.url,
    token,
    logs,
    refusals: () => logs.filter((line) => line.startsWith('refused')),
    async client(era = 'legacy', path = '/mcp') {
      const client = new Client(
        { name: 'bgjobs-http-test', version: '0.0.0' },
        era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
      );
      const transport = new StreamableHTTPClientTransport(new URL(path, server.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      try {
        const live = await engine.engine.list({
          status: ['queued', 'running'],
          all: true,
          limit: 1000,
        });
        for (const job of live.jobs) {
          await engine.engine.kill({ job_id: job.job_id, signal: 'SIGKILL', grace_s: 0 });
        }
        await Promise.allSettled(clients.map((client) => client.close()));
        await server.close();
        await agents?.close();
      } finally {
        await engine.close();
      }
    },
  };
}
