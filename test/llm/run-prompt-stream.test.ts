// Invariants, for each wire format (Anthropic, OpenAI, Gemini, Ollama) and an OpenAI-compatible
// endpoint, against a real local HTTP server: text reaches onText while the answer is still
// streaming (the fake holds the rest until the test has seen the first delta); the result
// carries the whole text, the usage and the finish reason (unified and the provider's own); the
// request carries the caller's key, model, system prompt and params in the provider's wire form,
// from the caller's env and never the process's; an idle timeout only ends a silent connection,
// not a slow one; aborting closes the HTTP connection (the fake would hold it open forever) and
// rejects with AbortError; an error thrown by onText comes back unchanged, and the connection is
// closed then too. How fast the close is, is a figure for `npm run bench`, not a timed test.
import { performance } from 'node:perf_hooks';

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { resolveModel } from '../../src/llm/models.js';
import { runPrompt, type PromptResult } from '../../src/llm/run.js';
import {
  startFakeProvider,
  WIRE_FORMATS,
  type FakeProvider,
  type FakeRequest,
  type WireFormat,
} from '../helpers/fake-providers.js';

const PARAMS = { max_tokens: 50, temperature: 0.5, top_k: 3, stop: ['END'], seed: 7 };

/** What each provider's request must look like for PARAMS, system "Be brief", prompt "Hi". */
const WIRE_REQUEST: Record<WireFormat, (request: FakeRequest, key: string) => void> = {
  anthropic: (request, key) => {
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(key);
    expect(request.headers['anthropic-version']).toBeTruthy();
    expect(request.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      max_tokens: 50,
      temperature: 0.5,
      top_k: 3,
      stop_sequences: ['END'],
      system: [{ type: 'text', text: 'Be brief' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  },
  openai: (request, key) => {
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${key}`);
    expect(request.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.5,
      stop: ['END'],
      seed: 7,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
      ],
    });
  },
  google: (request, key) => {
    expect(request.path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(request.headers['x-goog-api-key']).toBe(key);
    expect(request.body).toMatchObject({
      generationConfig: {
        maxOutputTokens: 50,
        temperature: 0.5,
        topK: 3,
        stopSequences: ['END'],
        seed: 7,
      },
      systemInstruction: { parts: [{ text: 'Be brief' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
  },
  ollama: (request) => {
    expect(request.path).toBe('/api/chat');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toMatchObject({
      model: 'llama3.2:1b',
      stream: true,
      // Ollama reads sampling params from `options` only.
      options: { num_predict: 50, temperature: 0.5, top_k: 3, stop: ['END'], seed: 7 },
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
      ],
    });
  },
};

/** The params each provider cannot take, reported as warnings rather than sent. */
const UNSUPPORTED: Record<WireFormat, string[]> = {
  anthropic: ['unsupported: seed'],
  openai: ['unsupported: topK'],
  google: [],
  ollama: [],
};

/** The provider's own finish reasons for "stop" and "length". */
const RAW_FINISH: Record<WireFormat, { stop: string; length: string }> = {
  anthropic: { stop: 'end_turn', length: 'max_tokens' },
  openai: { stop: 'stop', length: 'length' },
  google: { stop: 'STOP', length: 'MAX_TOKENS' },
  ollama: { stop: 'stop', length: 'length' },
};

const KEY_AND_URL_VARS: Record<WireFormat, string[]> = {
  anthropic: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
  openai: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  google: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENERATIVE_AI_BASE_URL'],
  ollama: ['OLLAMA_BASE_URL'],
};

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe.each(WIRE_FORMATS)('runPrompt over %s', (format) => {
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider(format);
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.reply({});
    vi.unstubAllEnvs();
  });

  const run = (
    options: {
      onText?: (delta: string) => void;
      signal?: AbortSignal;
      idleTimeoutMs?: number;
    } = {},
  ): Promise<PromptResult> =>
    runPrompt(
      {
        model: resolveModel(fake.model, fake.env),
        prompt: 'Hi',
        system: 'Be brief',
        params: PARAMS,
      },
      {
        env: fake.env,
        signal: options.signal ?? new AbortController().signal,
        onText: options.onText ?? (() => {}),
        // Short, so a runner that held text back until the end fails fast instead of hanging.
        idleTimeoutMs: options.idleTimeoutMs ?? 3000,
      },
    );

  it('gives each delta to onText while the answer is still streaming', async () => {
    const held = gate();
    fake.reply({ chunks: ['first', ' second', ' third'], gate: held.promise });
    const deltas: string[] = [];
    let completedAtFirstDelta: boolean | undefined;
    const result = await run({
      onText: (delta) => {
        deltas.push(delta);
        if (deltas.length === 1) {
          completedAtFirstDelta = fake.requests.at(-1)?.completed;
          held.open();
        }
      },
    });
    expect(completedAtFirstDelta).toBe(false);
    expect(deltas).toEqual(['first', ' second', ' third']);
    expect(result.text).toBe('first second third');
    expect(result.firstTextMs).not.toBeNull();
    expect(result.firstTextMs ?? Infinity).toBeLessThanOrEqual(result.latencyMs);
  });

  it('records the text, usage and finish reason', async () => {
    fake.reply({ chunks: ['Hello', ', world'], usage: { input: 23, output: 42 } });
    const result = await run();
    expect(result).toMatchObject({
      text: 'Hello, world',
      finishReason: 'stop',
      rawFinishReason: RAW_FINISH[format].stop,
      usage: { inputTokens: 23, outputTokens: 42 },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports an answer cut short by max_tokens as finishReason "length"', async () => {
    fake.reply({ chunks: ['Once upon'], finish: 'length', usage: { input: 5, output: 50 } });
    const result = await run();
    expect(result.finishReason).toBe('length');
    expect(result.rawFinishReason).toBe(RAW_FINISH[format].length);
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 50 });
  });

  it("sends the prompt, system, params and the caller's key in the provider's wire form", async () => {
    const result = await run();
    WIRE_REQUEST[format](fake.requests.at(-1) as FakeRequest, fake.key);
    expect(result.warnings).toEqual(UNSUPPORTED[format]);
  });

  it("takes keys and endpoints from the caller's env, never the process's", async () => {
    for (const name of KEY_AND_URL_VARS[format]) {
      vi.stubEnv(name, name.endsWith('_URL') ? 'http://127.0.0.1:9/nowhere' : 'process-key');
    }
    const before = fake.requests.length;
    const result = await run();
    expect(result.text).toBe('Hello, world');
    expect(fake.requests.length).toBe(before + 1);
  });

  it('lets a slow stream run past idleTimeoutMs while bytes keep coming', async () => {
    // Gaps far below the idle timeout (a loaded machine stretches them), a whole far above it.
    const chunks = 'abcdefghijkl'.split('');
    fake.reply({ chunks, delayMs: 200 });
    const started = performance.now();
    const result = await run({ idleTimeoutMs: 1500 });
    expect(result.text).toBe(chunks.join(''));
    expect(performance.now() - started).toBeGreaterThan(1500);
  });

  it('closes the connection on an abort mid-answer, and rejects with AbortError', async () => {
    fake.reply({ chunks: ['first', 'never sent'], gate: new Promise(() => {}) });
    const controller = new AbortController();
    let abortedAt = 0;
    const answer = run({
      signal: controller.signal,
      onText: () => {
        abortedAt = performance.now();
        controller.abort();
      },
    });
    await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
    const request = fake.requests.at(-1) as FakeRequest;
    // The fake never sends the rest: only the abort can have closed the connection.
    const closedAt = await request.closed;
    expect(abortedAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(abortedAt);
    expect(request.completed).toBe(false);
  });

  it('closes the connection on an abort before any text', async () => {
    fake.reply({ hangAfter: 0 });
    const controller = new AbortController();
    const arriving = fake.request(fake.requests.length);
    const answer = run({ signal: controller.signal });
    const request = await arriving;
    const abortedAt = performance.now();
    controller.abort();
    await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
    // The fake hangs forever after the headers: only the abort can have closed it.
    expect(await request.closed).toBeGreaterThanOrEqual(abortedAt);
    expect(request.completed).toBe(false);
  });

  it('passes on an error onText throws as it was, and closes the connection', async () => {
    fake.reply({ chunks: ['first', 'never sent'], gate: new Promise(() => {}) });
    const oops = new RangeError('consumer bug');
    let thrownAt = 0;
    const answer = run({
      onText: () => {
        thrownAt = performance.now();
        throw oops;
      },
    });
    await expect(answer).rejects.toBe(oops);
    const request = fake.requests.at(-1) as FakeRequest;
    expect(await request.closed).toBeGreaterThanOrEqual(thrownAt);
    expect(request.completed).toBe(false);
  });

  it('rejects at once, sending nothing, when the signal is already aborted', async () => {
    const before = fake.requests.length;
    await expect(run({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(fake.requests.length).toBe(before);
  });
});

describe('runPrompt over an OpenAI-compatible endpoint', () => {
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider('openai');
  });
  afterAll(async () => {
    await fake.close();
  });

  it('streams from the base URL in the spec, with OPENAI_COMPATIBLE_API_KEY when set', async () => {
    const env = { OPENAI_COMPATIBLE_API_KEY: fake.key };
    const model = resolveModel(`openai-compatible:qwen2.5-7b@${fake.url}/v1`, env);
    const deltas: string[] = [];
    const result = await runPrompt(
      { model, prompt: 'Hi' },
      { env, signal: new AbortController().signal, onText: (delta) => deltas.push(delta) },
    );
    expect(deltas).toEqual(['Hello', ', ', 'world']);
    expect(result).toMatchObject({
      text: 'Hello, world',
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 7 },
    });
    const request = fake.requests.at(-1) as FakeRequest;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${fake.key}`);
    expect(request.body).toMatchObject({
      model: 'qwen2.5-7b',
      stream_options: { include_usage: true },
    });
  });

  it('sends no Authorization header without a key (local servers need none)', async () => {
    const model = resolveModel(`openai-compatible:local@${fake.url}`, {});
    await runPrompt(
      { model, prompt: 'Hi' },
      { env: {}, signal: new AbortController().signal, onText: () => {} },
    );
    expect(fake.requests.at(-1)?.headers.authorization).toBeUndefined();
  });
});
