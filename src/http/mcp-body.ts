import type { IncomingMessage } from 'node:http';

// What the MCP endpoint does with a request's body: it is read once (bounded) and parsed once,
// for the era check and the handler alike; and whether its answer can only ever be its result
// (then a 2025-era session sends that as one JSON body: see session-transport.ts).

/** The SDK's own bound on a POST body. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type BodyRead =
  { ok: true; parsed: unknown } | { ok: false; status: 400 | 413; code: number; message: string };

/**
 * Reads a POST body up to MAX_BODY_BYTES and parses it as JSON: from the Node request when there
 * is one (much cheaper than the web stream built over it), else from the web request. A body
 * read before the request reached its handler (see `keepReadBody`) is not read again.
 */
export async function readJsonBody(
  request: Request,
  incoming?: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<BodyRead> {
  const kept = incoming === undefined ? undefined : readAhead.get(incoming);
  if (kept !== undefined) return kept;
  if (incoming !== undefined) return readNodeJsonBody(incoming, limit);
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > limit) return tooLarge(limit);
  return parsed(await readWeb(request.body, limit), limit);
}

/** `readJsonBody` straight from a Node request. */
export async function readNodeJsonBody(
  incoming: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<BodyRead> {
  if (Number(incoming.headers['content-length'] ?? '0') > limit) return tooLarge(limit);
  return parsed(await readNode(incoming, limit), limit);
}

// Bodies read ahead of their handler, by the request they came with.
const readAhead = new WeakMap<IncomingMessage, BodyRead>();

/** Keeps what was read of INCOMING's body for `readJsonBody`, when the request is passed on. */
export function keepReadBody(incoming: IncomingMessage, body: BodyRead): void {
  readAhead.set(incoming, body);
}

function parsed(bytes: Buffer | undefined, limit: number): BodyRead {
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

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * Whether PARSED is surely a JSON-RPC request the SDK takes (its strict request schema: these
 * four keys at most, version 2.0, a string or whole-number id, a string method, params an
 * object) — told without the schema, whose check costs a call up to 0.1 ms. False when unsure:
 * params with `_meta`, whose fields the schema checks too, are for the schema to judge.
 */
export function surelyRequest(parsed: unknown): boolean {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const message = parsed as Record<string, unknown>;
  if (!Object.keys(message).every((key) => REQUEST_KEYS.has(key))) return false;
  const { jsonrpc, id, method, params } = message;
  if (jsonrpc !== '2.0' || typeof method !== 'string') return false;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return false;
  if (params === undefined) return true;
  return (
    typeof params === 'object' && params !== null && !Array.isArray(params) && !('_meta' in params)
  );
}
