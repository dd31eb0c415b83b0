import { anthropic } from './anthropic.js';
import { google } from './google.js';
import { ollama } from './ollama.js';
import { openaiCompatible } from './openai-compatible.js';
import { openai } from './openai.js';
import type { LlmProvider } from './provider.js';

/** Every provider a model spec may name. */
export const PROVIDERS: readonly LlmProvider[] = [
  anthropic,
  openai,
  google,
  ollama,
  openaiCompatible,
];

export function findProvider(name: string): LlmProvider | undefined {
  return PROVIDERS.find((provider) => provider.name === name);
}

/** The provider that owned a bare model name before specs were `provider:model`. */
export function legacyProviderOf(modelId: string): LlmProvider | undefined {
  return PROVIDERS.find((provider) => provider.legacyNames?.test(modelId) === true);
}
