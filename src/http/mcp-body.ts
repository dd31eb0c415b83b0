import type { IncomingMessage } from 'node:http';

// What the MCP endpoint does with a request's body and a 2025-era session's answer: the body is
// read once (bounded) and parsed once, for the era check and the handler alike; an answer that
// can only ever hold the result is sent as one JSON body instead of an event stream.

/** The SDK's own bound on a POST body. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type BodyRead =
  { ok: true; parsed: unknown } | { ok: false; status: 400 | 413; code: number; message: string };

/**
 * Reads a POST body up to MAX_BODY_BYTES and parses it as JSON: from the Node request when there
 * is one (much cheaper than the web stream built over it), else from the web request.
 */
export async function readJsonBody(
  request: Request,
  incoming?: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<BodyRead> {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > limit) return tooLarge(limit);
  const bytes = await (incoming === undefined
    ? readWeb(request.body, limit)
    : readNode(incoming, limit));
  if (bytes === undefined) return tooLarge(limit);
  try {
    return { ok: true, parsed: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: Invalid JSON' };
  }
}

/** The body's bytes, or undefined past `limit`. */
function readNode(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.off('data', onData);
        incoming.resume(); // drain the rest unread
        resolve(undefined);
      } else chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks)));
    incoming.once('error', reject);
  });
}

async function readWeb(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

function tooLarge(limit: number): BodyRead {
  return {
    ok: false,
    status: 413,
    code: -32000,
    message: `Request body exceeds the ${limit}-byte limit.`,
  };
}

/**
 * The id of a single JSON-RPC request whose answer can only be its result: no progress was
 * asked for (bgjobs sends nothing else related to a request; its log messages go to the
 * session's own stream). Undefined for anything else — a batch, a notification, a response.
 */
export function plainRequestId(parsed: unknown): string | number | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const message = parsed as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof message.method !== 'string') return undefined;
  if (typeof message.id !== 'string' && typeof message.id !== 'number') return undefined;
  const meta = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  if (meta?.progressToken !== undefined) return undefined;
  return message.id;
}

/**
 * A 2025-era session answers every request with an event stream; a client parses that more
 * slowly than one JSON body, and the spec lets the server send either. When the stream's first
 * event is the response to request `id`, the answer becomes that JSON body; anything else (a
 * message before the result) is passed on as the stream it was, not a byte lost. `signal`
 * (the client going away) stops the wait.
 */
export async function collapseToJson(
  response: Response,
  id: string | number,
  signal: AbortSignal,
): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || response.body === null) return response;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder();
  const seen: Uint8Array[] = [];
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(value);
      text += decoder.decode(value, { stream: true });
      const end = text.indexOf('\n\n');
      if (end === -1) continue;
      const message = dataOf(text.slice(0, end));
      if (message === undefined || !isResponseTo(message, id)) break;
      void reader.cancel().catch(() => {});
      const headers = new Headers(response.headers);
      headers.set('content-type', 'application/json');
      return new Response(JSON.stringify(message), { status: response.status, headers });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return new Response(replay(seen, reader), { status: response.status, headers: response.headers });
}

function dataOf(event: string): unknown {
  const data = event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
    .join('\n');
  try {
    return data === '' ? undefined : (JSON.parse(data) as unknown);
  } catch {
    return undefined;
  }
}

function isResponseTo(message: unknown, id: string | number): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { id?: unknown; result?: unknown; error?: unknown };
  return m.id === id && (m.result !== undefined || m.error !== undefined);
}

/** The bytes already read, then the rest of the stream. */
function replay(
  seen: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of seen) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
