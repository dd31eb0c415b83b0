import { BgError, ErrorCode } from '../api/errors.js';

import { apiKeyOf, baseUrlOf, keyVarsInWords } from './endpoint.js';
import { findProvider, legacyProviderOf, PROVIDERS } from './providers/registry.js';
import type { LlmProvider } from './providers/provider.js';

/** A model spec checked against the caller's environment, ready to run. */
export interface ResolvedModel {
  /** A provider name from the registry: "anthropic", "openai", "google", "ollama", … */
  provider: string;
  /** The provider's own model id: "claude-sonnet-4-5", "llama3.2:3b". */
  modelId: string;
  /** The normalized spec, `provider:model` (with `@<base URL>` for openai-compatible). */
  spec: string;
  /** The endpoint, when the spec carries it (openai-compatible); else the caller's env decides. */
  baseURL?: string;
}

const EXAMPLE = '"anthropic:claude-sonnet-4-5"';

// Every variable a prompt reads: each provider's key and endpoint, and the default model.
const PROMPT_VARS: readonly string[] = [
  ...new Set([
    ...PROVIDERS.flatMap((provider) => [...provider.keyVars, provider.baseUrlVar]),
    'BGJOBS_DEFAULT_MODEL',
  ]),
];

/**
 * The part of the caller's ENV a prompt job keeps: what its providers read. The rest (a shell's
 * forty variables) is neither stored with the job nor parsed each time it is read.
 *
 * @example
 * promptEnv({ OPENAI_API_KEY: 'sk-…', PATH: '/usr/bin' }); // → { OPENAI_API_KEY: 'sk-…' }
 */
export function promptEnv(env: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of PROMPT_VARS) {
    const value = env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
// Model ids end up in URL paths (Gemini: /models/<id>:streamGenerateContent), so keep them tame.
const MODEL_ID = /^[A-Za-z0-9][\w.:/+-]*$/;
// The openai-compatible form: <model>@<base URL>; the URL starts at the first "@http".
const MODEL_AT_URL = /^(.+?)@(https?:\/\/.+)$/i;

/**
 * Resolves a model spec at submit time, checking that its provider is known and its key set in
 * the caller's ENV. Forms: "anthropic:claude-…", "openai:gpt-…", "google:gemini-…",
 * "ollama:llama3.2", "openai-compatible:<model>@<base URL>", bare legacy names ("gpt-4o",
 * "claude-3-5-sonnet-20241022", "gemini-pro"), and undefined for env.BGJOBS_DEFAULT_MODEL.
 * Throws BgError `invalid_input` (a bad spec) or `config` (a missing key, a bad default or URL).
 *
 * @example
 * resolveModel('gpt-4o', { OPENAI_API_KEY: 'sk-…' });
 * // → { provider: 'openai', modelId: 'gpt-4o', spec: 'openai:gpt-4o' }
 */
export function resolveModel(spec: string | undefined, env: Record<string, string>): ResolvedModel {
  const given = spec?.trim();
  if (given) return resolveSpec(given, env);
  const fallback = env.BGJOBS_DEFAULT_MODEL?.trim();
  if (!fallback) {
    throw new BgError(
      ErrorCode.invalidInput,
      `No model given: pass \`model\` as provider:model (like ${EXAMPLE}), or set BGJOBS_DEFAULT_MODEL in the environment bgjobs is called from.`,
    );
  }
  try {
    return resolveSpec(fallback, env);
  } catch (error) {
    if (!(error instanceof BgError) || error.code !== ErrorCode.invalidInput) throw error;
    throw new BgError(ErrorCode.config, `BGJOBS_DEFAULT_MODEL: ${error.message}`, { cause: error });
  }
}

function resolveSpec(spec: string, env: Record<string, string>): ResolvedModel {
  const { provider, rest } = splitProvider(spec);
  const { modelId, urlInSpec } = splitBaseUrl(provider, rest, spec);
  if (!MODEL_ID.test(modelId) || modelId.includes('..')) {
    throw new BgError(
      ErrorCode.invalidInput,
      `Model "${spec}" has no valid model id after "${provider.name}:" (letters, digits and . _ - : / + only).`,
    );
  }
  const baseURL = baseUrlOf(provider, env, urlInSpec);
  requireKey(provider, env);
  if (provider.baseUrlInSpec) {
    if (baseURL === undefined) {
      throw new BgError(
        ErrorCode.invalidInput,
        `Model "${spec}" needs the server's URL: write ${provider.name}:<model>@<base URL> (like "${provider.name}:${modelId}@http://127.0.0.1:8000/v1"), or set ${provider.baseUrlVar}.`,
      );
    }
    return {
      provider: provider.name,
      modelId,
      spec: `${provider.name}:${modelId}@${baseURL}`,
      baseURL,
    };
  }
  return { provider: provider.name, modelId, spec: `${provider.name}:${modelId}` };
}

// The provider is what precedes the first colon; Ollama tags ("llama3.2:3b") keep theirs.
function splitProvider(spec: string): { provider: LlmProvider; rest: string } {
  const colon = spec.indexOf(':');
  const prefix = colon > 0 ? spec.slice(0, colon).toLowerCase() : undefined;
  const named = prefix === undefined ? undefined : findProvider(prefix);
  if (named) return { provider: named, rest: spec.slice(colon + 1).trim() };
  const legacy = legacyProviderOf(spec);
  if (legacy) return { provider: legacy, rest: spec };
  const known = PROVIDERS.map((provider) => provider.name).join(', ');
  if (prefix !== undefined && /^[a-z][a-z0-9-]*$/.test(prefix)) {
    throw new BgError(
      ErrorCode.invalidInput,
      `Unknown provider "${prefix}" in model "${spec}": use one of ${known} (an Ollama model with a tag is "ollama:${spec}").`,
    );
  }
  throw new BgError(
    ErrorCode.invalidInput,
    `Cannot tell the provider of model "${spec}": write it as provider:model (like ${EXAMPLE} or "ollama:${spec}"); providers: ${known}.`,
  );
}

function splitBaseUrl(
  provider: LlmProvider,
  rest: string,
  spec: string,
): { modelId: string; urlInSpec: string | undefined } {
  if (!provider.baseUrlInSpec) return { modelId: rest, urlInSpec: undefined };
  const match = MODEL_AT_URL.exec(rest);
  if (!match) return { modelId: rest, urlInSpec: undefined };
  const [, modelId = '', url = ''] = match;
  if (!modelId) {
    throw new BgError(ErrorCode.invalidInput, `Model "${spec}" has no model id before "@".`);
  }
  return { modelId, urlInSpec: url };
}

function requireKey(provider: LlmProvider, env: Record<string, string>): void {
  if (!provider.keyRequired || apiKeyOf(provider, env) !== undefined) return;
  throw new BgError(
    ErrorCode.config,
    `No API key for ${provider.name}: set ${keyVarsInWords(provider)} in the environment bgjobs is called from (for an MCP client, the "env" of the bgjobs server in its config).`,
    { data: { provider: provider.name, variables: [...provider.keyVars] } },
  );
}
