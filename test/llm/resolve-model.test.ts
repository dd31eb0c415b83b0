// Invariants: every model spec form resolves to its provider and a normalized spec (provider:model,
// bare legacy names, Ollama tags, openai-compatible with its base URL, BGJOBS_DEFAULT_MODEL when
// none is given); an unknown provider, a bad spec or a missing key is refused at submit time with
// a BgError whose message names exactly what to write or set; base URLs from the caller's env are
// checked, and a bare origin gets the provider's API path.
import { describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { baseUrlOf } from '../../src/llm/endpoint.js';
import { resolveModel } from '../../src/llm/models.js';
import { anthropic } from '../../src/llm/providers/anthropic.js';
import { ollama } from '../../src/llm/providers/ollama.js';

const KEYS = {
  ANTHROPIC_API_KEY: 'a-key',
  OPENAI_API_KEY: 'o-key',
  GOOGLE_GENERATIVE_AI_API_KEY: 'g-key',
};

function refusal(run: () => unknown): BgError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BgError);
    return error as BgError;
  }
  throw new Error('expected a BgError, but it resolved');
}

describe('resolveModel: provider:model', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
    ['openai:gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['google:gemini-2.0-flash', 'google', 'gemini-2.0-flash'],
    ['ollama:llama3.2', 'ollama', 'llama3.2'],
    // An Ollama tag keeps its colon: only the first one separates the provider.
    ['ollama:llama3.2:3b', 'ollama', 'llama3.2:3b'],
    ['OpenAI:gpt-4o', 'openai', 'gpt-4o'],
    ['  anthropic:claude-3-haiku-20240307  ', 'anthropic', 'claude-3-haiku-20240307'],
  ])('%s → %s / %s', (spec, provider, modelId) => {
    expect(resolveModel(spec, KEYS)).toEqual({
      provider,
      modelId,
      spec: `${provider}:${modelId}`,
    });
  });

  it('needs no key for ollama', () => {
    expect(resolveModel('ollama:llama2', {}).spec).toBe('ollama:llama2');
  });
});

describe('resolveModel: legacy bare names', () => {
  it.each([
    ['claude-3-5-sonnet-20241022', 'anthropic'],
    ['gemini-pro', 'google'],
    ['gpt-4o', 'openai'],
    ['gpt-3.5-turbo', 'openai'],
    ['o3-mini', 'openai'],
    ['o1', 'openai'],
    ['chatgpt-4o-latest', 'openai'],
  ])('%s → %s', (name, provider) => {
    expect(resolveModel(name, KEYS)).toEqual({
      provider,
      modelId: name,
      spec: `${provider}:${name}`,
    });
  });

  it('refuses a bare name it cannot place, suggesting provider:model', () => {
    const error = refusal(() => resolveModel('llama3', KEYS));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('"ollama:llama3"');
    expect(error.message).toContain('anthropic, openai, google, ollama, openai-compatible');
  });
});

describe('resolveModel: openai-compatible', () => {
  it('takes the base URL from the spec and keeps it in the normalized spec', () => {
    expect(resolveModel('openai-compatible:qwen2.5-7b@http://127.0.0.1:8000/v1', {})).toEqual({
      provider: 'openai-compatible',
      modelId: 'qwen2.5-7b',
      spec: 'openai-compatible:qwen2.5-7b@http://127.0.0.1:8000/v1',
      baseURL: 'http://127.0.0.1:8000/v1',
    });
  });

  it('gives a bare origin the /v1 path, and keeps a model id with slashes', () => {
    const model = resolveModel('openai-compatible:meta-llama/Llama-3.1-8B@http://gpu:8000/', {});
    expect(model.modelId).toBe('meta-llama/Llama-3.1-8B');
    expect(model.baseURL).toBe('http://gpu:8000/v1');
  });

  it('falls back to OPENAI_COMPATIBLE_BASE_URL', () => {
    const model = resolveModel('openai-compatible:mistral', {
      OPENAI_COMPATIBLE_BASE_URL: 'https://llm.internal/openai/v1',
    });
    expect(model.baseURL).toBe('https://llm.internal/openai/v1');
    expect(model.spec).toBe('openai-compatible:mistral@https://llm.internal/openai/v1');
  });

  it('refuses a spec with no URL anywhere, saying both ways to give one', () => {
    const error = refusal(() => resolveModel('openai-compatible:mistral', {}));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('openai-compatible:<model>@<base URL>');
    expect(error.message).toContain('OPENAI_COMPATIBLE_BASE_URL');
  });

  it('refuses a URL that is not http(s)', () => {
    const error = refusal(() => resolveModel('openai-compatible:m@http://exa mple.com', {}));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('not a URL');
  });
});

describe('resolveModel: BGJOBS_DEFAULT_MODEL', () => {
  it('is used when no model is given (undefined or blank)', () => {
    const env = { ...KEYS, BGJOBS_DEFAULT_MODEL: 'anthropic:claude-sonnet-4-5' };
    expect(resolveModel(undefined, env).spec).toBe('anthropic:claude-sonnet-4-5');
    expect(resolveModel('  ', env).spec).toBe('anthropic:claude-sonnet-4-5');
  });

  it('may be a legacy name too', () => {
    expect(resolveModel(undefined, { ...KEYS, BGJOBS_DEFAULT_MODEL: 'gpt-4o' }).spec).toBe(
      'openai:gpt-4o',
    );
  });

  it('is not used when a model is given', () => {
    const env = { ...KEYS, BGJOBS_DEFAULT_MODEL: 'anthropic:claude-sonnet-4-5' };
    expect(resolveModel('ollama:llama3.2', env).provider).toBe('ollama');
  });

  it('without one and without a model: invalid_input saying to pass model or set it', () => {
    const error = refusal(() => resolveModel(undefined, KEYS));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('BGJOBS_DEFAULT_MODEL');
    expect(error.message).toContain('model');
  });

  it('a bad default is a config error naming BGJOBS_DEFAULT_MODEL', () => {
    const error = refusal(() => resolveModel(undefined, { BGJOBS_DEFAULT_MODEL: 'nope:thing' }));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(/^BGJOBS_DEFAULT_MODEL: Unknown provider "nope"/);
  });
});

describe('resolveModel: refusals', () => {
  it('an unknown provider lists the known ones', () => {
    const error = refusal(() => resolveModel('mistral:mistral-large', KEYS));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('Unknown provider "mistral"');
    expect(error.message).toContain('anthropic, openai, google, ollama, openai-compatible');
  });

  it.each([
    'anthropic:',
    'google:gemini?alt=x',
    'openai:gpt 4o',
    'ollama:../etc',
    'google:a/../../x',
  ])('refuses a bad model id: %s', (spec) => {
    expect(refusal(() => resolveModel(spec, KEYS)).code).toBe('invalid_input');
  });

  it.each([
    ['anthropic:claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
    ['claude-3-5-sonnet-20241022', 'ANTHROPIC_API_KEY'],
    ['openai:gpt-4o', 'OPENAI_API_KEY'],
    ['google:gemini-2.0-flash', 'GOOGLE_GENERATIVE_AI_API_KEY (or GOOGLE_API_KEY)'],
  ])('a missing key for %s is a config error naming %s', (spec, variables) => {
    const error = refusal(() => resolveModel(spec, { PATH: '/usr/bin' }));
    expect(error.code).toBe('config');
    expect(error.message).toContain(`set ${variables} in the environment`);
  });

  it('an empty key counts as missing', () => {
    const error = refusal(() => resolveModel('openai:gpt-4o', { OPENAI_API_KEY: '  ' }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('OPENAI_API_KEY');
  });

  it('accepts either Google key variable', () => {
    expect(resolveModel('google:gemini-2.0-flash', { GOOGLE_API_KEY: 'k' }).provider).toBe(
      'google',
    );
    expect(
      resolveModel('google:gemini-2.0-flash', { GOOGLE_GENERATIVE_AI_API_KEY: 'k' }).provider,
    ).toBe('google');
  });

  it('a bad base URL in the env is a config error naming the variable', () => {
    const error = refusal(() =>
      resolveModel('anthropic:claude-sonnet-4-5', { ...KEYS, ANTHROPIC_BASE_URL: 'not a url' }),
    );
    expect(error.code).toBe('config');
    expect(error.message).toContain('in ANTHROPIC_BASE_URL is not a URL');
  });
});

describe('base URLs', () => {
  it('use the provider default when the variable is unset', () => {
    expect(baseUrlOf(anthropic, {})).toBe('https://api.anthropic.com/v1');
    expect(baseUrlOf(ollama, {})).toBe('http://127.0.0.1:11434/api');
  });

  it("accept both Anthropic SDKs' conventions: a bare origin gets /v1, a path is kept", () => {
    expect(baseUrlOf(anthropic, { ANTHROPIC_BASE_URL: 'http://proxy:4000' })).toBe(
      'http://proxy:4000/v1',
    );
    expect(baseUrlOf(anthropic, { ANTHROPIC_BASE_URL: 'http://proxy:4000/anthropic/v1/' })).toBe(
      'http://proxy:4000/anthropic/v1',
    );
  });

  it('give OLLAMA_BASE_URL=http://host:11434 its /api path', () => {
    expect(baseUrlOf(ollama, { OLLAMA_BASE_URL: 'http://gpu-box:11434' })).toBe(
      'http://gpu-box:11434/api',
    );
  });

  it('refuse credentials in the URL (fetch would)', () => {
    const error = refusal(() => baseUrlOf(anthropic, { ANTHROPIC_BASE_URL: 'http://u:p@proxy' }));
    expect(error.message).toContain('carries credentials');
  });
});
