import { BgError, ErrorCode } from '../api/errors.js';

import type { LlmProvider } from './providers/provider.js';

/** The API key for PROVIDER from the caller's ENV: the first of its variables set, non-empty. */
export function apiKeyOf(provider: LlmProvider, env: Record<string, string>): string | undefined {
  for (const name of provider.keyVars) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** What to set for PROVIDER's key, in words: "ANTHROPIC_API_KEY", "A (or B)". */
export function keyVarsInWords(provider: LlmProvider): string {
  const [first, ...rest] = provider.keyVars;
  return rest.length === 0 ? (first ?? '') : `${first} (or ${rest.join(' or ')})`;
}

/**
 * The endpoint for PROVIDER: the URL from the spec, else its variable in ENV, else its default.
 * Undefined when there is none (an OpenAI-compatible server needs one). A bad URL is a BgError.
 */
export function baseUrlOf(
  provider: LlmProvider,
  env: Record<string, string>,
  fromSpec?: string,
): string | undefined {
  if (fromSpec !== undefined) {
    return normalizeBaseUrl(fromSpec, provider, {
      code: ErrorCode.invalidInput,
      where: 'in the model spec',
    });
  }
  const fromEnv = env[provider.baseUrlVar]?.trim();
  if (fromEnv) {
    return normalizeBaseUrl(fromEnv, provider, {
      code: ErrorCode.config,
      where: `in ${provider.baseUrlVar}`,
    });
  }
  return provider.defaultBaseURL;
}

/**
 * Checks a base URL and gives a bare origin the provider's API path, so both conventions work:
 * Anthropic's SDKs take `https://api.anthropic.com`, the AI SDK `https://api.anthropic.com/v1`.
 */
export function normalizeBaseUrl(
  raw: string,
  provider: LlmProvider,
  source: { code: ErrorCode; where: string },
): string {
  const refuse = (problem: string) =>
    new BgError(
      source.code,
      `"${raw}" ${source.where} ${problem}: give the ${provider.name} endpoint as an http(s) URL like "http://127.0.0.1:8000${provider.apiPath}".`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('is not http(s)');
  if (url.search || url.hash) throw refuse('has a query or fragment');
  // fetch refuses URLs with credentials; a key belongs in the provider's key variable.
  if (url.username || url.password) throw refuse('carries credentials');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? provider.apiPath : path}`;
}
