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
  create: async ({ modelId, baseURL, fetch }) => {
    const [{ createOllama }, { strictNdjson }] = await Promise.all([
      import('ollama-ai-provider-v2'),
      import('./ollama-stream.js'),
    ]);
    return createOllama({ baseURL, fetch: strictNdjson(fetch) })(modelId);
  },
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
