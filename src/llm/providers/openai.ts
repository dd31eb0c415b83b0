import type { LlmProvider } from './provider.js';

/**
 * OpenAI, through Chat Completions: the SDK's default for `openai(model)` is the Responses API,
 * which OpenAI-compatible proxies set in OPENAI_BASE_URL mostly do not serve.
 */
export const openai: LlmProvider = {
  name: 'openai',
  keyVars: ['OPENAI_API_KEY'],
  keyRequired: true,
  baseUrlVar: 'OPENAI_BASE_URL',
  defaultBaseURL: 'https://api.openai.com/v1',
  apiPath: '/v1',
  legacyNames: /^(gpt-|chatgpt-|o\d(-|$))/,
  create: async ({ modelId, apiKey, baseURL, fetch }) => {
    const { createOpenAI } = await import('@ai-sdk/openai');
    return createOpenAI({ apiKey, baseURL, fetch }).chat(modelId);
  },
};
