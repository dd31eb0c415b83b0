import type { LlmProvider } from './provider.js';

/** Google's Gemini API (generativelanguage.googleapis.com), not Vertex AI. */
export const google: LlmProvider = {
  name: 'google',
  keyVars: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GOOGLE_API_KEY'],
  keyRequired: true,
  baseUrlVar: 'GOOGLE_GENERATIVE_AI_BASE_URL',
  defaultBaseURL: 'https://generativelanguage.googleapis.com/v1beta',
  apiPath: '/v1beta',
  legacyNames: /^gemini-/,
  create: async ({ modelId, apiKey, baseURL, fetch }) => {
    const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
    return createGoogleGenerativeAI({ apiKey, baseURL, fetch })(modelId);
  },
};
