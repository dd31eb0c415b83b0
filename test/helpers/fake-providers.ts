// Local fake LLM providers: one real HTTP server per wire format (Anthropic Messages SSE, OpenAI
// chat completions SSE, Gemini streamGenerateContent SSE, Ollama /api/chat NDJSON) on
// 127.0.0.1:0, scripted per request, recording each request and when its connection closed.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

export type WireFormat = 'anthropic' | 'openai' | 'google' | 'ollama';

export const WIRE_FORMATS: readonly WireFormat[] = ['anthropic', 'openai', 'google', 'ollama'];

/** How the fake answers one request. Every field is optional. */
export interface FakeReply {
  /** Text chunks, one event each (default "Hello", ", ", "world"). */
  chunks?: string[];
  /** Pause before each chunk after the first. */
  delayMs?: number;
  /** Awaited after the first chunk is sent, before the rest: lets a test see the first delta. */
  gate?: Promise<unknown>;
  /** Token counts the stream reports (default 11 in, 7 out). */
  usage?: { input: number; output: number };
  /** Why the answer ended, in the SDK's words; sent in the provider's own (default "stop"). */
  finish?: 'stop' | 'length';
  /** Answer with this HTTP status and the provider's JSON error body instead of a stream. */
  status?: number;
  /** With status: the provider's error message (default: one like the real provider's). */
  errorMessage?: string;
  /** With status: a Retry-After header. */
  retryAfter?: string;
  /** After the first chunk, one event the provider's parser cannot read; then the rest. */
  malformed?: boolean;
  /** After the first chunk, the provider's own in-stream error event, then the end. */
  streamError?: { type: string; message: string };
  /** Send the headers and this many chunks, then nothing more, ever (0: headers only). */
  hangAfter?: number;
  /** Send this many chunks, then destroy the connection. */
  resetAfter?: number;
}

export interface FakeRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, parsed. */
  body: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  receivedAt: number;
  /** Resolves with performance.now() when the request's connection closes. */
  closed: Promise<number>;
  /** Whether the fake finished its reply (false: the client went away first). */
  completed: boolean;
}

export interface FakeProvider {
  format: WireFormat;
  /** The server's root, `http://127.0.0.1:<port>`: the runner adds the API path. */
  url: string;
  /** The caller env that points bgjobs at this fake: its base URL and the key it accepts. */
  env: Record<string, string>;
  /** A model spec served by this fake, like "anthropic:claude-sonnet-4-5" (any model is). */
  model: string;
  /** The key the fake accepts; any other is answered 401 (Ollama takes none). */
  key: string;
  requests: FakeRequest[];
  /** Sets the reply for every request without a queued one. */
  reply(reply: FakeReply): void;
  /** Queues one-off replies, used in order before the default one (a 429, then success). */
  enqueue(...replies: FakeReply[]): void;
  /** Resolves with the INDEXth request (0-based) once it has arrived: `request(requests.length)`
   *  is the next one. */
  request(index: number): Promise<FakeRequest>;
  close(): Promise<void>;
}

interface StreamContext {
  model: string;
  usage: { input: number; output: number };
  finish: 'stop' | 'length';
}

/** One wire format: where it listens, how it frames a stream, how it says an error. */
interface Wire {
  /** The model a request is for, or undefined when the path is not this API's. */
  route(path: string, body: Record<string, unknown>): string | undefined;
  keyOf(headers: IncomingHttpHeaders, path: string): string | undefined;
  contentType: string;
  head(context: StreamContext): string[];
  chunk(text: string, context: StreamContext): string;
  tail(context: StreamContext): string[];
  malformed: string;
  /** The provider's in-stream error event (Gemini has none). */
  streamError?(type: string, message: string): string;
  errorBody(status: number, message: string): unknown;
  defaultError(status: number, model: string): string;
}

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

const anthropicWire: Wire = {
  route: (path, body) => (path === '/v1/messages' ? String(body.model) : undefined),
  keyOf: (headers) => single(headers['x-api-key']),
  contentType: 'text/event-stream',
  head: ({ model, usage }) => [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    sse(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sse({ type: 'ping' }, 'ping'),
  ],
  chunk: (text) =>
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      'content_block_delta',
    ),
  tail: ({ usage, finish }) => [
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: finish === 'stop' ? 'end_turn' : 'max_tokens', stop_sequence: null },
        usage: { output_tokens: usage.output },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ],
  malformed:
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":\n\n',
  streamError: (type, message) => sse({ type: 'error', error: { type, message } }, 'error'),
  errorBody: (status, message) => ({
    type: 'error',
    error: { type: ANTHROPIC_ERROR_TYPES[status] ?? 'api_error', message },
  }),
  defaultError: (status, model) =>
    ({
      401: 'invalid x-api-key',
      404: `model: ${model}`,
      429: 'Number of request tokens has exceeded your per-minute rate limit',
    })[status] ?? 'Internal server error',
};

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const openaiWire: Wire = {
  route: (path, body) => (path === '/v1/chat/completions' ? String(body.model) : undefined),
  keyOf: (headers) => single(headers.authorization)?.replace(/^Bearer /, ''),
  contentType: 'text/event-stream',
  head: ({ model }) => [sse(openaiChunk(model, { role: 'assistant', content: '' }, null))],
  chunk: (text, { model }) => sse(openaiChunk(model, { content: text }, null)),
  tail: ({ model, usage, finish }) => [
    sse(openaiChunk(model, {}, finish)),
    sse({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    }),
    'data: [DONE]\n\n',
  ],
  malformed: 'data: {"id":"chatcmpl-fake","choices":[{"index":0,"delta":{"content":\n\n',
  streamError: (type, message) => sse({ error: { message, type, param: null, code: null } }),
  errorBody: (status, message) => ({
    error: {
      message,
      type: status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error',
      param: null,
      code:
        ({ 401: 'invalid_api_key', 404: 'model_not_found', 429: 'rate_limit_exceeded' } as const)[
          status as 401 | 404 | 429
        ] ?? null,
    },
  }),
  defaultError: (status, model) =>
    ({
      401: 'Incorrect API key provided: wr***ey. You can find your API key at https://platform.openai.com/account/api-keys.',
      404: `The model \`${model}\` does not exist or you do not have access to it.`,
      429: `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1.`,
    })[status] ?? 'The server had an error while processing your request. Sorry about that!',
};

function openaiChunk(model: string, delta: object, finish: string | null) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):streamGenerateContent\?alt=sse$/;

const googleWire: Wire = {
  route: (path) => GEMINI_PATH.exec(path)?.[1],
  keyOf: (headers) => single(headers['x-goog-api-key']),
  contentType: 'text/event-stream',
  head: () => [],
  chunk: (text, { model, usage }) =>
    geminiEvent({
      candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }],
      usageMetadata: { promptTokenCount: usage.input, totalTokenCount: usage.input },
      modelVersion: model,
    }),
  tail: ({ model, usage, finish }) => [
    geminiEvent({
      candidates: [
        {
          content: { parts: [{ text: '' }], role: 'model' },
          finishReason: finish === 'stop' ? 'STOP' : 'MAX_TOKENS',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: usage.input,
        candidatesTokenCount: usage.output,
        totalTokenCount: usage.input + usage.output,
      },
      modelVersion: model,
    }),
  ],
  malformed: 'data: {"candidates":[{"content":{"parts":[{"text":\r\n\r\n',
  errorBody: (status, message) => ({
    error: { code: status, message, status: GOOGLE_STATUSES[status] ?? 'INTERNAL' },
  }),
  defaultError: (status, model) =>
    ({
      401: 'API key not valid. Please pass a valid API key.',
      404: `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
      429: 'Resource has been exhausted (e.g. check quota).',
    })[status] ??
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
};

const GOOGLE_STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

// Gemini frames its server-sent events with CRLF.
const geminiEvent = (data: unknown) => `data: ${JSON.stringify(data)}\r\n\r\n`;

const ollamaWire: Wire = {
  route: (path, body) => (path === '/api/chat' ? String(body.model) : undefined),
  keyOf: () => undefined,
  contentType: 'application/x-ndjson',
  head: () => [],
  chunk: (text, { model }) =>
    `${JSON.stringify({
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: text },
      done: false,
    })}\n`,
  tail: ({ model, usage, finish }) => [
    `${JSON.stringify({
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: finish,
      total_duration: 123_456_789,
      load_duration: 1_234_567,
      prompt_eval_count: usage.input,
      prompt_eval_duration: 12_345_678,
      eval_count: usage.output,
      eval_duration: 98_765_432,
    })}\n`,
  ],
  malformed: '{"model":"x","message":{"role":"assistant","content":\n',
  streamError: (_type, message) => `${JSON.stringify({ error: message })}\n`,
  // Ollama's error body is a bare string: {"error": "..."}.
  errorBody: (_status, message) => ({ error: message }),
  defaultError: (status, model) =>
    ({
      401: 'unauthorized',
      404: `model "${model}" not found, try pulling it first`,
      429: 'too many requests',
    })[status] ?? 'llama runner process has terminated: signal: killed',
};

const WIRES: Record<WireFormat, Wire> = {
  anthropic: anthropicWire,
  openai: openaiWire,
  google: googleWire,
  ollama: ollamaWire,
};

const SETUP: Record<WireFormat, { model: string; keyVar?: string; urlVar: string }> = {
  anthropic: {
    model: 'claude-sonnet-4-5',
    keyVar: 'ANTHROPIC_API_KEY',
    urlVar: 'ANTHROPIC_BASE_URL',
  },
  openai: { model: 'gpt-4o-mini', keyVar: 'OPENAI_API_KEY', urlVar: 'OPENAI_BASE_URL' },
  google: {
    model: 'gemini-2.0-flash',
    keyVar: 'GOOGLE_GENERATIVE_AI_API_KEY',
    urlVar: 'GOOGLE_GENERATIVE_AI_BASE_URL',
  },
  ollama: { model: 'llama3.2:1b', urlVar: 'OLLAMA_BASE_URL' },
};

/** Starts a fake FORMAT provider on 127.0.0.1; `close()` it when done. */
export async function startFakeProvider(
  format: WireFormat,
  initial: FakeReply = {},
): Promise<FakeProvider> {
  const wire = WIRES[format];
  const setup = SETUP[format];
  const key = `test-key-${format}`;
  const requests: FakeRequest[] = [];
  const queued: FakeReply[] = [];
  let standing = initial;
  const waiters = new Map<number, ((request: FakeRequest) => void)[]>();

  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    const closed = new Promise<number>((resolve) => {
      if (req.socket.destroyed) resolve(performance.now());
      else req.socket.once('close', () => resolve(performance.now()));
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = parseBody(Buffer.concat(chunks).toString('utf8'));
      const path = req.url ?? '/';
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        receivedAt,
        closed,
        completed: false,
      };
      requests.push(request);
      for (const waiter of waiters.get(requests.length - 1) ?? []) waiter(request);
      waiters.delete(requests.length - 1);
      const reply = queued.shift() ?? standing;
      void answer(wire, request, reply, res, key).then(
        (completed) => (request.completed = completed),
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    format,
    url,
    key,
    env: { [setup.urlVar]: url, ...(setup.keyVar ? { [setup.keyVar]: key } : {}) },
    model: `${format}:${setup.model}`,
    requests,
    reply: (reply) => {
      standing = reply;
    },
    enqueue: (...replies) => {
      queued.push(...replies);
    },
    request: (index) => {
      const arrived = requests[index];
      if (arrived) return Promise.resolve(arrived);
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers one request as scripted; resolves whether the reply was written to the end. */
async function answer(
  wire: Wire,
  request: FakeRequest,
  reply: FakeReply,
  res: ServerResponse,
  key: string,
): Promise<boolean> {
  const model = wire.route(request.path, request.body);
  if (model === undefined) {
    return sendError(wire, res, 404, `No route for ${request.method} ${request.path}`);
  }
  const sentKey = wire.keyOf(request.headers, request.path);
  if (sentKey !== undefined && sentKey !== key) {
    return sendError(wire, res, 401, wire.defaultError(401, model));
  }
  if (reply.status !== undefined) {
    const headers: Record<string, string> =
      reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter };
    const message = reply.errorMessage ?? wire.defaultError(reply.status, model);
    return sendError(wire, res, reply.status, message, headers);
  }
  return stream(wire, model, reply, res);
}

async function stream(
  wire: Wire,
  model: string,
  reply: FakeReply,
  res: ServerResponse,
): Promise<boolean> {
  const context: StreamContext = {
    model,
    usage: reply.usage ?? { input: 11, output: 7 },
    finish: reply.finish ?? 'stop',
  };
  const chunks = reply.chunks ?? ['Hello', ', ', 'world'];
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  res.writeHead(200, { 'content-type': wire.contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const event of wire.head(context)) res.write(event);
  for (const [index, text] of chunks.entries()) {
    if (reply.hangAfter === index) return hang(gone);
    if (reply.resetAfter === index) return reset(res);
    if (index > 0 && reply.delayMs) await delay(reply.delayMs);
    if (res.destroyed) return false;
    res.write(wire.chunk(text, context));
    if (index === 0) {
      if (reply.malformed) res.write(wire.malformed);
      if (reply.streamError && wire.streamError) {
        res.end(wire.streamError(reply.streamError.type, reply.streamError.message));
        return true;
      }
      if (reply.gate) await Promise.race([reply.gate, gone]);
    }
  }
  if (reply.hangAfter !== undefined) return hang(gone);
  if (reply.resetAfter !== undefined) return reset(res);
  if (res.destroyed) return false;
  for (const event of wire.tail(context)) res.write(event);
  res.end();
  return true;
}

async function hang(gone: Promise<void>): Promise<boolean> {
  await gone;
  return false;
}

function reset(res: ServerResponse): boolean {
  res.socket?.resetAndDestroy();
  return false;
}

function sendError(
  wire: Wire,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): boolean {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(wire.errorBody(status, message)));
  return true;
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
