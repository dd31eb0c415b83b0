import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import {
  createMcpHandler,
  InMemoryServerEventBus,
  isJsonContentType,
  isLegacyRequest,
  type McpHttpHandler,
  type McpServer,
} from '@modelcontextprotocol/server';

import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import type { ProfileName } from '../mcp/profiles/names.js';
import { createServer } from '../mcp/server.js';
import { Subscriptions } from '../mcp/subscriptions.js';
import { readJsonBody } from './mcp-body.js';
import { SessionTransport } from './session-transport.js';

/** 2025-era sessions a client left without a DELETE are closed after this long unused. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const MAX_SESSIONS = 1000;

export interface McpEndpointOptions {
  /** Jobs started over HTTP inherit this caller (the server's environment and folder). */
  caller: Caller;
  version: string;
  profile?: ProfileName | undefined;
  logError: (message: string, error: unknown) => void;
  maxSessions?: number;
  /** How long an unused 2025-era session lives (default `SESSION_IDLE_MS`). */
  sessionIdleMs?: number;
}

interface Session {
  transport: SessionTransport;
  server: McpServer;
  lastSeen: number;
}

/**
 * One MCP endpoint over Streamable HTTP (`/mcp`, or `/mcp/PROFILE`), serving both protocol eras
 * from the one `createServer` factory: 2026-07-28 requests through the SDK's per-request
 * handler (its `subscriptions/listen` streams fed by `notify`), and 2025-era clients with
 * sessions of their own (`Mcp-Session-Id`), each a server over its own transport, freed on
 * DELETE, on close, or after `SESSION_IDLE_MS` unused.
 */
export class McpEndpoint {
  private readonly api: JobsApi;
  private readonly options: McpEndpointOptions;
  private readonly modern: McpHttpHandler;
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly bus = new InMemoryServerEventBus();

  constructor(api: JobsApi, options: McpEndpointOptions) {
    this.api = api;
    this.options = options;
    this.modern = createMcpHandler(() => this.newServer(`${options.caller.reader ?? 'http'}`), {
      legacy: 'reject',
      bus: this.bus,
      onerror: (error) => options.logError('MCP request failed', error),
    });
    const idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
    this.sweeper = setInterval(() => this.sweep(idleMs), Math.min(60_000, idleMs));
    this.sweeper.unref();
  }

  /** Change notifications for open 2026-era `subscriptions/listen` streams. */
  get notify(): McpHttpHandler['notify'] {
    return this.modern.notify;
  }

  /** How many 2026-era `subscriptions/listen` streams are open. */
  get openListens(): number {
    return this.bus.listenerCount;
  }

  /** How many 2025-era sessions are open. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** How many calls of 2025-era sessions are waiting for their JSON answer. */
  get callsUnderway(): number {
    let count = 0;
    for (const session of this.sessions.values()) count += session.transport.callsUnderway;
    return count;
  }

  /** Serves one request; `incoming`, the Node request under it when there is one, is read for the body. */
  async fetch(request: Request, incoming?: IncomingMessage): Promise<Response> {
    if (request.method !== 'POST') {
      const id = request.headers.get('mcp-session-id');
      if (id !== null || (await isLegacyRequest(request))) return this.legacy(request, undefined);
      return this.modern.fetch(request);
    }
    if (!isJsonContentType(request.headers.get('content-type'))) {
      return jsonRpcError(415, 'Content-Type must be application/json.');
    }
    // Read and parse once: the era check and the handler share the parsed body.
    const body = await readJsonBody(request, incoming);
    if (!body.ok) return jsonRpcError(body.status, body.message, body.code);
    // A 2026-era request carries no session id; a 2025-era one, past its initialize, always does.
    if (
      request.headers.get('mcp-session-id') !== null ||
      (await isLegacyRequest(request, body.parsed))
    ) {
      return this.legacy(request, body.parsed);
    }
    return this.modern.fetch(request, { parsedBody: body.parsed });
  }

  /** The transport of the open 2025-era session ID, marked as used now; undefined if none is. */
  sessionTransport(id: string): SessionTransport | undefined {
    const session = this.sessions.get(id);
    if (session !== undefined) session.lastSeen = Date.now();
    return session?.transport;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.modern.close();
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }

  private async legacy(request: Request, parsedBody: unknown): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id !== null) {
      const transport = this.sessionTransport(id);
      if (transport === undefined) return jsonRpcError(404, 'Session not found: initialize again.');
      return transport.handleRequest(request, parsedBody);
    }
    if (request.method !== 'POST') {
      return jsonRpcError(400, 'No Mcp-Session-Id: open a session with initialize first.');
    }
    if (this.sessions.size >= (this.options.maxSessions ?? MAX_SESSIONS)) {
      return jsonRpcError(503, 'Too many MCP sessions are open: close one, or try again later.');
    }
    return this.openSession(request, parsedBody);
  }

  private async openSession(request: Request, parsedBody: unknown): Promise<Response> {
    const reader = `http:${randomUUID()}`;
    const server = this.newServer(reader);
    const transport: SessionTransport = new SessionTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { transport, server, lastSeen: Date.now() });
      },
      onsessionclosed: (sessionId) => this.drop(sessionId),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request, parsedBody);
    // Not an initialize (or a refused one): no session was opened, so nothing may stay behind.
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  private newServer(reader: string): McpServer {
    const { caller, version, profile, logError } = this.options;
    return createServer(this.api, {
      caller: { ...caller, reader },
      version,
      profile,
      logError,
      subscriptions: new Subscriptions(),
    });
  }

  private drop(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    session?.server.close().catch((error: unknown) => {
      this.options.logError('closing an MCP session failed', error);
    });
  }

  private sweep(idleMs: number): void {
    const before = Date.now() - idleMs;
    for (const [id, session] of this.sessions) if (session.lastSeen < before) this.drop(id);
  }
}

function jsonRpcError(status: number, message: string, code = -32000): Response {
  return Response.json(
    { jsonrpc: '2.0', error: { code, message }, id: null },
    { status, headers: { 'Cache-Control': 'no-store' } },
  );
}
