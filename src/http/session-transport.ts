import {
  isJSONRPCRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Transport,
  type TransportSendOptions,
  WebStandardStreamableHTTPServerTransport,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/server';

import { plainRequestId, surelyRequest } from './mcp-body.js';

type RequestId = string | number;

/**
 * A 2025-era session's transport: the SDK's Streamable HTTP transport, except that a request
 * whose answer can only ever be its result (no progress asked for: see `plainRequestId`) is
 * answered with that result as one JSON body. The spec lets the server pick JSON or an event
 * stream per request; the SDK's transport picks once for all. A JSON body costs the server no
 * event stream, encoder or keep-alive timer, and the client parses it more cheaply. Anything
 * else — initialize, a batch, a call with a progressToken, GET and DELETE, any request the SDK
 * would refuse — goes through the SDK's transport unchanged.
 */
export class SessionTransport implements Transport {
  private readonly inner: WebStandardStreamableHTTPServerTransport;
  /** Plain requests under way, each answered by its result (or by the session closing). */
  private readonly waiting = new Map<RequestId, (message: JSONRPCMessage) => void>();
  private supported: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;

  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  constructor(options: WebStandardStreamableHTTPServerTransportOptions) {
    this.inner = new WebStandardStreamableHTTPServerTransport(options);
    this.inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => {
      for (const [id, answer] of this.waiting) {
        answer({ jsonrpc: '2.0', id, error: { code: -32001, message: 'The session was closed.' } });
      }
      this.waiting.clear();
      this.onclose?.();
    };
  }

  /** How many calls are waiting for their JSON answer. */
  get callsUnderway(): number {
    return this.waiting.size;
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supported = versions;
    this.inner.setSupportedProtocolVersions(versions);
  }

  /** Serves one request of this session; `parsedBody` is a POST's body, already parsed. */
  async handleRequest(request: Request, parsedBody: unknown): Promise<Response> {
    const plain =
      request.method === 'POST' &&
      this.takesPlain(request.headers.get('accept'), request.headers.get('mcp-protocol-version'));
    const id = plain ? this.plainIdOf(parsedBody) : undefined;
    if (id === undefined) return this.inner.handleRequest(request, { parsedBody });
    const answer = await this.answer(id, parsedBody as JSONRPCRequest, { request });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.sessionId !== undefined) headers['mcp-session-id'] = this.sessionId;
    return new Response(JSON.stringify(answer), { status: 200, headers });
  }

  /**
   * Whether a POST with these headers may be answered as JSON here: its client accepts JSON
   * (and, as the spec asks, a stream) and speaks a protocol version this session does.
   */
  takesPlain(accept: string | null | undefined, version: string | null | undefined): boolean {
    const accepted = accept ?? '';
    if (!accepted.includes('application/json') || !accepted.includes('text/event-stream')) {
      return false;
    }
    return version === null || version === undefined || this.supported.includes(version);
  }

  /**
   * The id of a POSTed body to answer as JSON here: one valid request, not initialize, whose id
   * is not already waiting. Undefined for anything else, which the SDK's transport answers (or
   * refuses) as it always did.
   */
  plainIdOf(parsedBody: unknown): RequestId | undefined {
    const id = plainRequestId(parsedBody);
    if (id === undefined || this.waiting.has(id)) return undefined;
    // A usual call is told by a cheap check that never passes what the schema refuses.
    if (!surelyRequest(parsedBody) && !isJSONRPCRequest(parsedBody)) return undefined;
    return (parsedBody as JSONRPCRequest).method === 'initialize' ? undefined : id;
  }

  /** Hands a plain request (see `plainIdOf`) to the server; resolves with its one answer. */
  answer(
    id: RequestId,
    message: JSONRPCRequest,
    extra?: MessageExtraInfo,
  ): Promise<JSONRPCMessage> {
    const answered = new Promise<JSONRPCMessage>((resolve) => this.waiting.set(id, resolve));
    this.onmessage?.(message, extra);
    return answered;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // Only responses carry an id and no method; the protocol layer sends them well formed.
    const id = 'method' in message ? undefined : (message as { id?: RequestId }).id;
    const answer = id === undefined ? undefined : this.waiting.get(id);
    if (id !== undefined && answer !== undefined) {
      this.waiting.delete(id);
      answer(message);
      return;
    }
    // A message about a request answered as JSON has no stream of its own: it goes on the
    // session's (GET) stream. bgjobs sends none — progress is asked for, and then streamed.
    const related = options?.relatedRequestId;
    if (related !== undefined && this.waiting.has(related)) {
      return this.inner.send(message, { ...options, relatedRequestId: undefined });
    }
    return this.inner.send(message, options);
  }
}
