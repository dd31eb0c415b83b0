import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { getRequestListener } from '@hono/node-server';

import { BgError, ErrorCode } from '../api/errors.js';
import type { AgentsApi } from '../agents/contract.js';
import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import { portHolders } from '../procfs/ports.js';
import { createHttpApp, type HttpApp } from './app.js';
import { DirectMcp } from './mcp-direct.js';
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from './settings.js';
import { TokenSource } from './token.js';

export interface HttpServerOptions {
  api: JobsApi;
  home: string;
  caller: Caller;
  /** The daemon's background agents, for the dashboard's agents view. */
  agents?: AgentsApi | undefined;
  version: string;
  /** 0 picks a free port (tests). */
  port?: number;
  host?: string;
  /** Binding to an address other than loopback must be asked for explicitly. */
  allowRemote?: boolean;
  /** More names requests may be addressed to (a reverse proxy's), besides loopback and `host`. */
  allowedHosts?: readonly string[];
  /** How long an unused 2025-era MCP session lives (30 minutes). */
  sessionIdleMs?: number;
  log?: (message: string) => void;
}

export interface RunningHttpServer {
  /** `http://HOST:PORT`, the address the server listens on. */
  url: string;
  port: number;
  host: string;
  http: HttpApp;
  /** Where the plain calls of MCP sessions are answered (see mcp-direct.ts). */
  direct: DirectMcp;
  close: () => Promise<void>;
}

/** Whether HOST is only reachable from this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * Starts the HTTP server (MCP over Streamable HTTP and the dashboard) on loopback port 7717 by
 * default. A non-loopback address needs `allowRemote` and is warned about (TLS belongs to a
 * reverse proxy); a taken port is an error that names its holder when it can be found.
 *
 * @example
 * const server = await startHttpServer({ api: engine, home, caller, version: VERSION });
 * console.log(server.url); // http://127.0.0.1:7717
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const port = options.port ?? DEFAULT_HTTP_PORT;
  const log = options.log ?? ((message) => process.stderr.write(`bgjobs http: ${message}\n`));
  if (!isLoopbackHost(host)) {
    if (options.allowRemote !== true) {
      throw new BgError(
        ErrorCode.config,
        `Refusing to listen on ${host}, which is not a loopback address: anyone who can reach it could try the token. Pass --allow-remote to mean it (and put TLS in front: see the README).`,
      );
    }
    log(`WARNING: listening on ${host}, reachable from other machines; use TLS in front of it.`);
  }
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const tokens = new TokenSource(options.home);
  const allowedHosts = [
    ...(wildcard || isLoopbackHost(host) ? [] : [host]),
    ...(options.allowedHosts ?? []),
  ];
  const logError = (message: string, error: unknown) =>
    log(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  const http = createHttpApp({
    api: options.api,
    tokens,
    allowedHosts,
    caller: options.caller,
    agents: options.agents,
    version: options.version,
    sessionIdleMs: options.sessionIdleMs,
    logError,
    onRefused: (request, reason) => {
      const { pathname } = new URL(request.url);
      log(`refused ${request.method} ${pathname}: ${reason}`);
    },
  });
  const app = getRequestListener(http.app.fetch);
  const direct = new DirectMcp({ endpoints: http.endpoints, tokens, allowedHosts, logError });
  const server = createServer((incoming, outgoing) => direct.serve(incoming, outgoing, app));
  try {
    await listen(server, port, host);
  } catch (error) {
    await http.close();
    throw listenError(error, host, port);
  }
  const bound = (server.address() as AddressInfo).port;
  // A wildcard address is reached from here through loopback.
  const reach = wildcard ? DEFAULT_HTTP_HOST : host;
  const shown = reach.includes(':') && !reach.startsWith('[') ? `[${reach}]` : reach;
  return {
    url: `http://${shown}:${bound}`,
    port: bound,
    host,
    http,
    direct,
    close: async () => {
      await http.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Event streams stay open until their page goes: end them rather than wait.
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function listenError(error: unknown, host: string, port: number): BgError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    const holders = portHolders(port)
      .map((holder) => `pid ${holder.pid} (${holder.command})`)
      .join(', ');
    const who = holders === '' ? 'another program' : holders;
    return new BgError(
      ErrorCode.config,
      `Port ${port} on ${host} is taken by ${who}. Stop it, or choose another port with --port or BGJOBS_HTTP_PORT.`,
      { data: { port }, cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BgError(ErrorCode.config, `Cannot listen on ${host}:${port}: ${message}.`, {
    cause: error,
  });
}
