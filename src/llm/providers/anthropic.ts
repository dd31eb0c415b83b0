import type { LlmProvider } from './provider.js';

/** Anthropic's Messages API. The SDK's base URL ends in /v1 (Anthropic's own SDKs' does not). */
export const anthropic: LlmProvider = {
  name: 'anthropic',
  keyVars: ['ANTHROPIC_API_KEY'],
  keyRequired: true,
  baseUrlVar: 'ANTHROPIC_BASE_URL',
  defaultBaseURL: 'https://api.anthropic.com/v1',
  apiPath: '/v1',
  legacyNames: /^claude-/,
  create: async ({ modelId, apiKey, baseURL, fetch }) => {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    return createAnthropic({ apiKey, baseURL, fetch })(modelId);
  },
};
