import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  isJsonContentType,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';

import { checkBearer, checkHost, checkOrigin, SECURITY_HEADERS } from './guards.js';
import { keepReadBody, readNodeJsonBody } from './mcp-body.js';
import type { McpEndpoint } from './mcp-endpoint.js';
import type { SessionTransport } from './session-transport.js';
import type { TokenSource } from './token.js';

/** Serves a request the way the app does (Hono over Node's request and response). */
export type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse) => unknown;

export interface DirectMcpOptions {
  endpoints: ReadonlyMap<string, McpEndpoint>;
  tokens: TokenSource;
  allowedHosts: readonly string[];
  logError: (message: string, error: unknown) => void;
}

/**
 * The call an MCP client makes most, served on Node's own request and response: a POST of one
 * plain request (one that asked for no progress: see SessionTransport) in an open 2025-era
 * session, past every guard the app applies to `/mcp`. It skips the router and the web Request
 * and Response built around each request — about a tenth of an HTTP round trip (see the
 * README). Anything else is passed on to the app untouched: another route or method, no
 * session, a request any guard would refuse (the app refuses it, and logs it once), a body that
 * is not one plain request (passed on already read). Refusals and every other answer so have
 * one home, the app.
 */
export class DirectMcp {
  private readonly options: DirectMcpOptions;
  /** How many calls were answered here rather than by the app. */
  served = 0;

  constructor(options: DirectMcpOptions) {
    this.options = options;
  }

  /** Serves INCOMING if it is such a call, else hands it to APP. */
  serve(incoming: IncomingMessage, outgoing: ServerResponse, app: NodeListener): void {
    const taken = this.take(incoming);
    if (taken === undefined) {
      app(incoming, outgoing);
      return;
    }
    this.answer(incoming, outgoing, taken, app).catch((error: unknown) => {
      this.options.logError('MCP request failed', error);
      if (!outgoing.headersSent) outgoing.writeHead(500, SECURITY_HEADERS);
      outgoing.end();
    });
  }

  /** The session a request is a plain call of, as far as its headers tell; else undefined. */
  private take(
    incoming: IncomingMessage,
  ): { sessionId: string; transport: SessionTransport } | undefined {
    if (incoming.method !== 'POST') return undefined;
    const profile = profileOf(incoming.url ?? '');
    const sessionId = incoming.headers['mcp-session-id'];
    if (profile === undefined || typeof sessionId !== 'string') return undefined;
    const { host, origin, authorization } = incoming.headers;
    const { allowedHosts, tokens, endpoints } = this.options;
    const guarded =
      checkHost(host, allowedHosts).ok &&
      checkOrigin(origin, host).ok &&
      checkBearer(authorization, tokens.get()).ok;
    if (!guarded || !isJsonContentType(incoming.headers['content-type'] ?? null)) return undefined;
    const transport = endpoints.get(profile)?.sessionTransport(sessionId);
    const version = incoming.headers['mcp-protocol-version'];
    if (transport === undefined || Array.isArray(version)) return undefined;
    return transport.takesPlain(incoming.headers.accept, version)
      ? { sessionId, transport }
      : undefined;
  }

  private async answer(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    { sessionId, transport }: { sessionId: string; transport: SessionTransport },
    app: NodeListener,
  ): Promise<void> {
    const body = await readNodeJsonBody(incoming);
    const id = body.ok ? transport.plainIdOf(body.parsed) : undefined;
    if (!body.ok || id === undefined) {
      keepReadBody(incoming, body);
      app(incoming, outgoing);
      return;
    }
    const message: JSONRPCMessage = await transport.answer(id, body.parsed as JSONRPCRequest);
    const text = JSON.stringify(message);
    outgoing.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'content-length': Buffer.byteLength(text),
    });
    outgoing.end(text);
    this.served++;
  }
}

/**
 * `''` for `/mcp`, the profile's name for `/mcp/NAME`, exactly the paths the app routes (no
 * trailing slash); else undefined. A name still percent-encoded matches no endpoint here, and the
 * app, which decodes it, answers.
 */
function profileOf(url: string): string | undefined {
  const path = url.split('?', 1)[0] ?? '';
  if (path === '/mcp') return '';
  return /^\/mcp\/([^/]+)$/.exec(path)?.[1];
}
