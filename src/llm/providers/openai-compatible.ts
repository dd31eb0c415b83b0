import type { LlmProvider } from './provider.js';

/**
 * Any server speaking OpenAI's Chat Completions (vLLM, LM Studio, llama.cpp, LiteLLM, …):
 * `openai-compatible:<model>@<base URL>`, or the base URL in OPENAI_COMPATIBLE_BASE_URL.
 */
export const openaiCompatible: LlmProvider = {
  name: 'openai-compatible',
  keyVars: ['OPENAI_COMPATIBLE_API_KEY'],
  keyRequired: false,
  baseUrlVar: 'OPENAI_COMPATIBLE_BASE_URL',
  defaultBaseURL: undefined,
  apiPath: '/v1',
  baseUrlInSpec: true,
  create: async ({ modelId, apiKey, baseURL, fetch }) => {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    // includeUsage asks for the final usage chunk (stream_options.include_usage).
    return createOpenAICompatible({
      name: 'openai-compatible',
      apiKey,
      baseURL,
      fetch,
      includeUsage: true,
    })(modelId);
  },
};
