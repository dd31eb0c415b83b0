import type { CallSettings, LanguageModel, streamText } from 'ai';

import type { PromptInput } from '../../api/start.js';

/** Generation parameters as a prompt job takes them (the zod schema is their source of truth). */
export type PromptParams = NonNullable<PromptInput['params']>;

/** What a provider needs to build a model: everything already taken from the caller's env. */
export interface ProviderSettings {
  modelId: string;
  apiKey: string | undefined;
  baseURL: string;
  /** The fetch every request goes through (it watches for a hung connection). */
  fetch: typeof globalThis.fetch;
}

type ProviderOptions = NonNullable<Parameters<typeof streamText>[0]['providerOptions']>;

/** The SDK call settings a provider wants for some params. */
export interface ProviderCall {
  settings: Pick<
    CallSettings,
    'maxOutputTokens' | 'temperature' | 'topP' | 'topK' | 'stopSequences' | 'seed'
  >;
  providerOptions?: ProviderOptions;
}

/**
 * One LLM provider. Adding a provider is one file exporting one of these, listed in
 * `registry.ts`.
 *
 * @example
 * export const acme: LlmProvider = {
 *   name: 'acme', keyVars: ['ACME_API_KEY'], keyRequired: true,
 *   baseUrlVar: 'ACME_BASE_URL', defaultBaseURL: 'https://api.acme.ai/v1', apiPath: '/v1',
 *   create: async ({ modelId, apiKey, baseURL, fetch }) =>
 *     (await import('@acme/ai-sdk')).createAcme({ apiKey, baseURL, fetch })(modelId),
 * };
 */
export interface LlmProvider {
  /** The prefix of a model spec: `name:model`. */
  readonly name: string;
  /** Variables that may hold the API key, in order of preference. */
  readonly keyVars: readonly string[];
  /** Whether a request without a key is refused at submit time. */
  readonly keyRequired: boolean;
  /** The variable that overrides the endpoint. */
  readonly baseUrlVar: string;
  /** The endpoint when the variable is not set; undefined: one must be given. */
  readonly defaultBaseURL: string | undefined;
  /** Added to a base URL given without a path (`http://host:4000` → `http://host:4000/v1`). */
  readonly apiPath: string;
  /** Bare model names from before `provider:model` that belong to this provider. */
  readonly legacyNames?: RegExp;
  /** Whether the model spec carries the endpoint: `name:model@https://host/v1`. */
  readonly baseUrlInSpec?: boolean;
  /** Builds the model; the provider's SDK is imported here, on first use, not with bgjobs. */
  create(settings: ProviderSettings): Promise<LanguageModel>;
  /** Maps params to call settings; when absent, `standardCall`. */
  call?(params: PromptParams): ProviderCall;
}

/** The SDK's own mapping of params, which most providers translate to their wire format. */
export function standardCall(params: PromptParams): ProviderCall {
  return {
    settings: {
      maxOutputTokens: params.max_tokens,
      temperature: params.temperature,
      topP: params.top_p,
      topK: params.top_k,
      stopSequences: params.stop,
      seed: params.seed,
    },
  };
}
