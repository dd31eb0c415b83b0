// A local stand-in for OpenAI's chat completions endpoint, streaming SSE, for the prompt figures.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';

/** The key the fake accepts; anything else is answered 401, as OpenAI would. */
export const FAKE_KEY = 'test';
export const FAKE_MODEL = 'openai:gpt-test';
export const FAKE_PROMPT = 'Say hello.';

export interface FakeOpenAiOptions {
  /** The answer's text, one `data:` event per chunk. */
  chunks: readonly string[];
  /** Pause before each chunk after the first (0: the whole answer in one go). */
  delayMs: number;
}

export interface FakeOpenAi {
  /** The caller env that points the `openai` provider at this fake. */
  env: { OPENAI_API_KEY: string; OPENAI_BASE_URL: string };
  /** The whole answer, as a client should put it together. */
  text: string;
  /** Answers being streamed right now, and the most there ever were at once. */
  readonly active: number;
  readonly maxActive: number;
  /** Answers streamed to the end. */
  readonly completed: number;
  /** Resolves with `performance.now()` when the next answer's connection closes before its end. */
  nextCutOff(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Serves `POST /v1/chat/completions` on 127.0.0.1 with an ephemeral port: a role chunk, one
 * chunk per text piece, the finish chunk, a usage chunk and `data: [DONE]`, like OpenAI's
 * `stream: true` with `stream_options.include_usage`.
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAi> {
  const stopping = new AbortController();
  // Every streaming answer's pauses listen on this one signal: a hundred at once are expected.
  setMaxListeners(0, stopping.signal);
  const counts: Counts = { active: 0, maxActive: 0, completed: 0, cutOff: [] };
  const server = createServer((request, response) => {
    void answer(request, response, options, counts, stopping.signal).catch(() => {
      response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    text: options.chunks.join(''),
    get active() {
      return counts.active;
    },
    get maxActive() {
      return counts.maxActive;
    },
    get completed() {
      return counts.completed;
    },
    nextCutOff: () => new Promise((resolve) => counts.cutOff.push(resolve)),
    close: async () => {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Counts {
  active: number;
  maxActive: number;
  completed: number;
  /** Who waits for the next answer cut off by its client. */
  cutOff: ((at: number) => void)[];
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: FakeOpenAiOptions,
  counts: Counts,
  stopping: AbortSignal,
): Promise<void> {
  const body = await readJson(request);
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    return reply(response, 404, { error: { message: `no route ${request.url ?? ''}` } });
  }
  if (request.headers.authorization !== `Bearer ${FAKE_KEY}`) {
    return reply(response, 401, { error: { message: 'Incorrect API key provided.' } });
  }
  const model = typeof body.model === 'string' ? body.model : 'gpt-test';
  counts.active += 1;
  counts.maxActive = Math.max(counts.maxActive, counts.active);
  response.once('close', () => {
    counts.active -= 1;
    if (!response.writableFinished)
      for (const resolve of counts.cutOff.splice(0)) resolve(performance.now());
  });
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(event(chunk(model, { role: 'assistant', content: '' }, null)));
  for (const [i, text] of options.chunks.entries()) {
    if (i > 0 && options.delayMs > 0) await delay(options.delayMs, undefined, { signal: stopping });
    if (response.destroyed) return;
    response.write(event(chunk(model, { content: text }, null)));
  }
  response.write(event(chunk(model, {}, 'stop')));
  response.write(
    event({
      ...chunk(model, {}, null),
      choices: [],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    }),
  );
  response.end('data: [DONE]\n\n');
  counts.completed += 1;
}

function chunk(model: string, delta: object, finish: string | null) {
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function event(data: object): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  request.setEncoding('utf8');
  for await (const piece of request) text += piece as string;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
