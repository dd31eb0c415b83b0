import { JSONParseError } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';

import { ProviderStreamError } from '../llm-error.js';

import type { LlmProvider, PromptParams } from './provider.js';

/** A local (or remote) Ollama server's /api/chat; it needs no key. */
export const ollama: LlmProvider = {
  name: 'ollama',
  keyVars: [],
  keyRequired: false,
  baseUrlVar: 'OLLAMA_BASE_URL',
  // 127.0.0.1, not localhost: Ollama listens on IPv4 only, and localhost may resolve to ::1.
  defaultBaseURL: 'http://127.0.0.1:11434/api',
  apiPath: '/api',
  create: ({ modelId, baseURL, fetch }) =>
    createOllama({ baseURL, fetch: strictNdjson(fetch) })(modelId),
  call: ollamaCall,
};

// The provider sends the SDK's settings as top-level fields Ollama ignores (max_output_tokens,
// temperature), and drops top_k, seed and stop; Ollama reads them all from `options`.
function ollamaCall(params: PromptParams) {
  const options = {
    num_predict: params.max_tokens,
    temperature: params.temperature,
    top_p: params.top_p,
    top_k: params.top_k,
    seed: params.seed,
    stop: params.stop,
  };
  const set = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  );
  return {
    settings: {},
    providerOptions: Object.keys(set).length > 0 ? { ollama: { options: set } } : undefined,
  };
}

/**
 * The provider skips NDJSON lines it cannot parse (with a console.warn) and lines that do not
 * fit its schema — Ollama's mid-stream `{"error": "…"}` among them — so a broken stream would
 * pass as a short answer. This fetch fails the stream at the first such line instead.
 */
function strictNdjson(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.ok || response.body === null) return response;
    return new Response(response.body.pipeThrough(checkLines()), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function checkLines(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let pending = '';
  const check = (line: string) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new JSONParseError({ text: line, cause });
    }
    if (typeof value === 'object' && value !== null && 'error' in value) {
      throw new ProviderStreamError(value);
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(check);
      controller.enqueue(chunk);
    },
    flush() {
      check(pending + decoder.decode());
    },
  });
}
