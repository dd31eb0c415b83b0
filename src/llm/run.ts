import {
  streamText,
  type CallWarning,
  type LanguageModelUsage,
  type TextStreamPart,
  type ToolSet,
} from 'ai';

import { BgError } from '../api/errors.js';

import { apiKeyOf, baseUrlOf, keyVarsInWords } from './endpoint.js';
import { watchIdle } from './idle.js';
import { idleError, LlmError, LlmErrorKind, toLlmError, type FailureContext } from './llm-error.js';
import type { ResolvedModel } from './models.js';
import { findProvider } from './providers/registry.js';
import { standardCall, type LlmProvider, type PromptParams } from './providers/provider.js';

export { LlmError, LlmErrorKind };
export type { PromptParams };

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface PromptRequest {
  model: ResolvedModel;
  prompt: string;
  system?: string;
  params?: PromptParams;
}

export interface PromptResult {
  /** The whole answer: every delta given to onText, joined. */
  text: string;
  /** The SDK's unified reason: stop, length, content-filter, tool-calls, error, other. */
  finishReason: string;
  /** The provider's own word for it ("end_turn", "STOP", "length"), when it sent one. */
  rawFinishReason: string | null;
  usage: { inputTokens: number | null; outputTokens: number | null };
  /** From the call to the end of the answer. */
  latencyMs: number;
  /** From the call to the first text, or null when no text came. */
  firstTextMs: number | null;
  /** What the provider ignored or adapted ("seed: unsupported"). */
  warnings: string[];
}

export interface RunOptions {
  /** The caller's environment: keys and endpoints come from here, never from the daemon's. */
  env: Record<string, string>;
  signal: AbortSignal;
  onText: (delta: string) => void;
  /** End the call as a retryable LlmError when no bytes arrive for this long (default 60 s). */
  idleTimeoutMs?: number;
}

/**
 * Runs one prompt, streaming the answer: ONTEXT gets each text delta as it arrives. Aborting
 * SIGNAL closes the HTTP connection at once and rejects with an AbortError. Any failure
 * rejects with an LlmError saying whether a retry may help (the SDK's own retries are off).
 *
 * @example
 * const model = resolveModel('anthropic:claude-sonnet-4-5', caller.env);
 * const result = await runPrompt({ model, prompt: 'Hi' }, { env: caller.env, signal, onText: write });
 */
export async function runPrompt(
  request: PromptRequest,
  options: RunOptions,
): Promise<PromptResult> {
  const started = performance.now();
  if (options.signal.aborted) throw abortError(options.signal);
  quietSdkWarnings();
  const provider = providerOf(request.model);
  const context: FailureContext = { provider, modelId: request.model.modelId };
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const idle = watchIdle(idleMs);
  // One signal for the request: the caller's abort or the watchdog's ends it, and so does
  // every way out of here (an onText that throws included), so no connection outlives the call.
  const connection = new AbortController();
  const end = () => connection.abort();
  options.signal.addEventListener('abort', end);
  idle.signal.addEventListener('abort', end);
  // A throwing onText is the caller's bug: it comes back as it was thrown, not as an LlmError.
  let callerError: { error: unknown } | undefined;
  const onText = (delta: string) => {
    try {
      options.onText(delta);
    } catch (error) {
      callerError = { error };
      throw error;
    }
  };
  try {
    const model = await provider.create({
      modelId: request.model.modelId,
      apiKey: keyOf(provider, options.env),
      baseURL: endpointOf(provider, request.model, options.env),
      fetch: idle.fetch,
    });
    const call = (provider.call ?? standardCall)(request.params ?? {});
    const result = streamText({
      model,
      prompt: request.prompt,
      system: request.system,
      ...call.settings,
      providerOptions: call.providerOptions,
      maxRetries: 0,
      abortSignal: connection.signal,
      // Errors come to us as stream parts; the default handler would print them.
      onError: () => {},
    });
    const outcome = await collect(result.fullStream, onText, started);
    if (options.signal.aborted) throw abortError(options.signal);
    if (idle.fired) throw idleError(context, idleMs);
    if (outcome.error !== undefined) throw toLlmError(outcome.error, context);
    return { ...outcome.answer, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (callerError) throw callerError.error;
    if (options.signal.aborted) throw abortError(options.signal);
    if (idle.fired) throw idleError(context, idleMs);
    if (error instanceof BgError) throw setupError(error.message);
    throw toLlmError(error, context);
  } finally {
    options.signal.removeEventListener('abort', end);
    idle.stop();
    end();
  }
}

interface Outcome {
  answer: Omit<PromptResult, 'latencyMs'>;
  /** The first error the stream reported; reading stops there. */
  error: unknown;
}

async function collect(
  stream: AsyncIterable<TextStreamPart<ToolSet>>,
  onText: (delta: string) => void,
  started: number,
): Promise<Outcome> {
  const answer: Outcome['answer'] = {
    text: '',
    finishReason: 'other',
    rawFinishReason: null,
    usage: { inputTokens: null, outputTokens: null },
    firstTextMs: null,
    warnings: [],
  };
  for await (const part of stream) {
    switch (part.type) {
      case 'start-step':
        answer.warnings.push(...part.warnings.map(describeWarning));
        break;
      case 'text-delta':
        if (part.text === '') break;
        answer.firstTextMs ??= Math.round(performance.now() - started);
        answer.text += part.text;
        onText(part.text);
        break;
      case 'finish':
        answer.finishReason = part.finishReason;
        answer.rawFinishReason = part.rawFinishReason ?? null;
        answer.usage = usageOf(part.totalUsage);
        break;
      case 'error':
        return { answer, error: part.error };
      default:
        break;
    }
  }
  return { answer, error: undefined };
}

function providerOf(model: ResolvedModel): LlmProvider {
  const provider = findProvider(model.provider);
  if (provider) return provider;
  throw setupError(`Unknown provider "${model.provider}" in model "${model.spec}".`);
}

// Checked again at run time: with no key given, an SDK would read the daemon's own env.
function keyOf(provider: LlmProvider, env: Record<string, string>): string | undefined {
  const key = apiKeyOf(provider, env);
  if (key === undefined && provider.keyRequired) {
    throw setupError(`No API key for ${provider.name}: set ${keyVarsInWords(provider)}.`);
  }
  return key;
}

// The endpoint as resolved at submit time, else from the caller's env now.
function endpointOf(
  provider: LlmProvider,
  model: ResolvedModel,
  env: Record<string, string>,
): string {
  const baseURL = baseUrlOf(provider, env, model.baseURL);
  if (baseURL !== undefined) return baseURL;
  throw setupError(`Model "${model.spec}" has no endpoint: set ${provider.baseUrlVar}.`);
}

function setupError(message: string): LlmError {
  return new LlmError(message, {
    kind: LlmErrorKind.setup,
    status: null,
    retryable: false,
    retryAfterMs: null,
    providerMessage: '',
  });
}

function usageOf(usage: LanguageModelUsage): PromptResult['usage'] {
  return { inputTokens: usage.inputTokens ?? null, outputTokens: usage.outputTokens ?? null };
}

function describeWarning(warning: CallWarning): string {
  if (warning.type === 'other') return warning.message;
  const what = `${warning.feature}${warning.details ? ` (${warning.details})` : ''}`;
  return warning.type === 'unsupported' ? `unsupported: ${what}` : `compatibility mode: ${what}`;
}

function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('The prompt was aborted.', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}

// The SDK logs call warnings with console.info/warn by default, and stdout may carry MCP;
// runPrompt returns them in the result instead.
function quietSdkWarnings(): void {
  globalThis.AI_SDK_LOG_WARNINGS ??= false;
}
