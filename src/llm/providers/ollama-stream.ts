import { JSONParseError } from 'ai';

import { ProviderStreamError } from '../llm-error.js';

/**
 * The provider skips NDJSON lines it cannot parse (with a console.warn) and lines that do not
 * fit its schema — Ollama's mid-stream `{"error": "…"}` among them — so a broken stream would
 * pass as a short answer. This fetch fails the stream at the first such line instead.
 */
export function strictNdjson(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
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
