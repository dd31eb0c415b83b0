// Invariants, for each wire format against a real local HTTP server: a rejected key (401) is not
// retryable and carries the provider's own message and the variable to check; 429 is retryable
// with retryAfterMs from Retry-After; 500 and a reset connection are retryable; an unknown model
// (404) is not; a malformed stream is not retryable and says so clearly; an error the provider
// sends mid-stream carries its message (overloaded: retryable); a connection that goes silent —
// before the body or mid-answer — ends after idleTimeoutMs as a retryable LlmError, and is
// closed; an unreachable server is retryable. The SDK never retries on its own (one request).
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { retryAfterOf } from '../../src/llm/provider-message.js';
import { resolveModel } from '../../src/llm/models.js';
import { LlmError, runPrompt, type PromptResult } from '../../src/llm/run.js';
import {
  startFakeProvider,
  WIRE_FORMATS,
  type FakeProvider,
  type FakeRequest,
  type WireFormat,
} from '../helpers/fake-providers.js';

/** The variable a 401's message tells the user to check. */
const CHECK_ON_401: Record<WireFormat, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  ollama: 'OLLAMA_BASE_URL',
};

async function failure(answer: Promise<PromptResult>): Promise<LlmError> {
  try {
    await answer;
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error('expected an LlmError, but the prompt succeeded');
}

describe.each(WIRE_FORMATS)('runPrompt failures over %s', (format) => {
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider(format);
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.reply({});
  });

  const run = (env: Record<string, string> = fake.env, idleTimeoutMs = 3000) =>
    runPrompt(
      { model: resolveModel(fake.model, env), prompt: 'Hi' },
      { env, signal: new AbortController().signal, onText: () => {}, idleTimeoutMs },
    );

  /** Runs to a failure, checking that exactly one request was made (no SDK retries). */
  async function failOnce(
    env: Record<string, string> = fake.env,
    idleTimeoutMs?: number,
  ): Promise<LlmError> {
    const before = fake.requests.length;
    const error = await failure(run(env, idleTimeoutMs));
    expect(fake.requests.length).toBe(before + 1);
    return error;
  }

  it("401: not retryable, with the provider's message and the variable to check", async () => {
    fake.reply({ status: 401, errorMessage: 'The key you sent is no good.' });
    const error = await failOnce();
    expect(error).toMatchObject({
      kind: 'http',
      status: 401,
      retryable: false,
      retryAfterMs: null,
      providerMessage: 'The key you sent is no good.',
    });
    expect(error.message).toContain('The key you sent is no good');
    expect(error.message).toContain(`Check ${CHECK_ON_401[format]}`);
  });

  if (format !== 'ollama') {
    it('401 for a wrong key from the caller env', async () => {
      const keyVar = Object.keys(fake.env).find((name) => name.endsWith('_KEY')) as string;
      const error = await failOnce({ ...fake.env, [keyVar]: 'wrong-key' });
      expect(error.status).toBe(401);
      expect(error.retryable).toBe(false);
      expect(error.providerMessage.length).toBeGreaterThan(0);
    });
  }

  it('429: retryable, with retryAfterMs from Retry-After', async () => {
    fake.reply({ status: 429, retryAfter: '17' });
    const error = await failOnce();
    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      retryable: true,
      retryAfterMs: 17_000,
    });
    expect(error.providerMessage).not.toBe('');
    expect(error.message).toContain('17 s');
  });

  it('429 without Retry-After: retryable, retryAfterMs null', async () => {
    fake.reply({ status: 429 });
    expect(await failOnce()).toMatchObject({ status: 429, retryable: true, retryAfterMs: null });
  });

  it("500: retryable, with the provider's message", async () => {
    fake.reply({ status: 500, errorMessage: 'Something broke on our side.' });
    expect(await failOnce()).toMatchObject({
      kind: 'http',
      status: 500,
      retryable: true,
      providerMessage: 'Something broke on our side.',
    });
  });

  it('404 (no such model): not retryable, naming the model', async () => {
    fake.reply({ status: 404 });
    const error = await failOnce();
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain(resolveModel(fake.model, fake.env).modelId);
  });

  it('a malformed stream: not retryable, saying the stream was malformed', async () => {
    fake.reply({ malformed: true });
    const error = await failOnce();
    expect(error).toMatchObject({ kind: 'malformed', status: null, retryable: false });
    expect(error.message).toContain(`${format} sent a malformed stream`);
    expect(error.providerMessage).toContain('JSON parsing failed');
  });

  it('a connection reset mid-answer: retryable', async () => {
    fake.reply({ chunks: ['one', 'two', 'three'], resetAfter: 1 });
    const error = await failOnce();
    expect(error).toMatchObject({ kind: 'network', status: null, retryable: true });
    expect(error.message).toContain(`The connection to ${format} broke`);
  });

  it('silence after the headers: a retryable LlmError after idleTimeoutMs, connection closed', async () => {
    fake.reply({ hangAfter: 0 });
    const started = performance.now();
    const error = await failOnce(fake.env, 300);
    const failedAt = performance.now();
    expect(error).toMatchObject({ kind: 'idle', status: null, retryable: true });
    expect(error.message).toContain('No data from');
    // Not before the idle timeout; and the fake stays silent forever, so only the watchdog can
    // have ended the call and closed the connection (how soon after is no test's business).
    expect(failedAt - started).toBeGreaterThanOrEqual(290);
    const request = fake.requests.at(-1) as FakeRequest;
    expect(await request.closed).toBeGreaterThan(started);
    expect(request.completed).toBe(false);
  });

  it('silence mid-answer: a retryable LlmError after idleTimeoutMs', async () => {
    fake.reply({ chunks: ['one', 'two'], hangAfter: 1 });
    const deltas: string[] = [];
    const env = fake.env;
    const error = await failure(
      runPrompt(
        { model: resolveModel(fake.model, env), prompt: 'Hi' },
        {
          env,
          signal: new AbortController().signal,
          onText: (delta) => deltas.push(delta),
          idleTimeoutMs: 300,
        },
      ),
    );
    expect(deltas).toEqual(['one']);
    expect(error).toMatchObject({ kind: 'idle', retryable: true });
  });
});

describe.each([
  ['anthropic', 'overloaded_error', 'Overloaded', true],
  ['anthropic', 'invalid_request_error', 'Output blocked by content filtering policy', false],
  ['openai', 'server_error', 'The server had an error processing your request.', true],
  ['ollama', 'error', 'an error was encountered while running the model: unexpected EOF', false],
] as const)('an error %s sends mid-stream (%s)', (format, type, message, retryable) => {
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider(format, { streamError: { type, message } });
  });
  afterAll(async () => {
    await fake.close();
  });

  it(`fails with the provider's message, retryable: ${retryable}`, async () => {
    const deltas: string[] = [];
    const error = await failure(
      runPrompt(
        { model: resolveModel(fake.model, fake.env), prompt: 'Hi' },
        { env: fake.env, signal: new AbortController().signal, onText: (d) => deltas.push(d) },
      ),
    );
    expect(error).toMatchObject({ kind: 'provider', status: null, retryable });
    expect(error.providerMessage).toBe(message);
    expect(error.message).toContain(message.replace(/\.$/, ''));
  });
});

describe('an unreachable server', () => {
  it('is a retryable network error naming the provider', async () => {
    // A port that was free a moment ago: connection refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const env = { OLLAMA_BASE_URL: `http://127.0.0.1:${port}` };
    const error = await failure(
      runPrompt(
        { model: resolveModel('ollama:llama3.2', env), prompt: 'Hi' },
        { env, signal: new AbortController().signal, onText: () => {} },
      ),
    );
    expect(error).toMatchObject({ kind: 'network', status: null, retryable: true });
    expect(error.message).toContain(`Cannot reach ollama at http://127.0.0.1:${port}/api/chat`);
  });
});

describe('a server that accepts the connection but never answers', () => {
  it('ends after idleTimeoutMs as a retryable LlmError', async () => {
    const sockets = new Set<Socket>();
    // Reading (resume) is what lets the server see the client close its end.
    const silent = createServer((socket) => sockets.add(socket.resume()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const closed = new Promise<void>((resolve) =>
      silent.once('connection', (socket) => socket.once('close', () => resolve())),
    );
    try {
      const env = { OLLAMA_BASE_URL: `http://127.0.0.1:${port}` };
      const error = await failure(
        runPrompt(
          { model: resolveModel('ollama:llama3.2', env), prompt: 'Hi' },
          { env, signal: new AbortController().signal, onText: () => {}, idleTimeoutMs: 300 },
        ),
      );
      expect(error).toMatchObject({ kind: 'idle', retryable: true });
      await closed;
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('retryAfterOf', () => {
  it('reads seconds, milliseconds (retry-after-ms) and HTTP dates', () => {
    expect(retryAfterOf({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterOf({ 'retry-after': '0.5' })).toBe(500);
    expect(retryAfterOf({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = retryAfterOf({ 'retry-after': inTenSeconds }) ?? 0;
    expect(fromDate).toBeGreaterThan(8000);
    expect(fromDate).toBeLessThanOrEqual(10_000);
    expect(retryAfterOf({ 'retry-after': 'soon' })).toBeNull();
    expect(retryAfterOf({})).toBeNull();
    expect(retryAfterOf(undefined)).toBeNull();
  });
});
