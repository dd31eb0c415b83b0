import { APICallError, JSONParseError, TypeValidationError } from 'ai';

import { keyVarsInWords } from './endpoint.js';
import type { LlmProvider } from './providers/provider.js';
import {
  messageInBody,
  messageIn,
  retryAfterOf,
  brokenConnectionOf,
  field,
  bare,
  clip,
  safeJson,
  formatMs,
} from './provider-message.js';

/** What kind of failure an LlmError is. */
export const LlmErrorKind = {
  /** The provider answered with an HTTP error status. */
  http: 'http',
  /** No connection, or it broke (refused, reset, closed mid-stream). */
  network: 'network',
  /** No bytes arrived for the idle timeout: the connection hung. */
  idle: 'idle',
  /** The stream could not be parsed. */
  malformed: 'malformed',
  /** The provider reported an error inside the stream (Anthropic's `overloaded_error`, say). */
  provider: 'provider',
  /** The request could not be made as given (no key, an unknown provider). */
  setup: 'setup',
  other: 'other',
} as const;
export type LlmErrorKind = (typeof LlmErrorKind)[keyof typeof LlmErrorKind];

export interface LlmErrorFields {
  kind: LlmErrorKind;
  status: number | null;
  retryable: boolean;
  retryAfterMs: number | null;
  providerMessage: string;
}

/**
 * A prompt that failed. `retryable` says whether trying again may help; bgjobs, not the SDK,
 * decides to retry, waiting `retryAfterMs` when the provider asked for it.
 */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  /** The HTTP status, when the provider answered with one. */
  readonly status: number | null;
  readonly retryable: boolean;
  /** How long the provider asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | null;
  /** The provider's own words, as it sent them. */
  readonly providerMessage: string;

  constructor(message: string, fields: LlmErrorFields, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = fields.kind;
    this.status = fields.status;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
    this.providerMessage = fields.providerMessage;
  }
}

/**
 * An error a provider reported inside its stream, thrown by a provider module that finds it
 * itself (the value is the provider's own: `{ error: "…" }`).
 */
export class ProviderStreamError extends Error {
  override readonly name = 'ProviderStreamError';
  readonly value: unknown;

  constructor(value: unknown) {
    super('The provider reported an error in its stream.');
    this.value = value;
  }
}

export interface FailureContext {
  provider: LlmProvider;
  modelId: string;
}

// Anthropic's and OpenAI's in-stream error types that mean "try again later".
const RETRYABLE_STREAM_ERROR = /overloaded|rate_limit|api_error|server_error|unavailable|timeout/i;
// Codes of a connection that broke (Node, undici).

/** Turns whatever the SDK or the stream threw into an LlmError that says what to do next. */
export function toLlmError(error: unknown, context: FailureContext): LlmError {
  if (error instanceof LlmError) return error;
  if (APICallError.isInstance(error)) return fromApiCallError(error, context);
  const name = context.provider.name;
  if (JSONParseError.isInstance(error) || TypeValidationError.isInstance(error)) {
    const detail = clip(error.message);
    return new LlmError(
      `${name} sent a malformed stream that bgjobs cannot read (${bare(detail)}). Check that ${context.provider.baseUrlVar} points at a server speaking the ${name} API.`,
      { ...NOT_RETRYABLE, kind: LlmErrorKind.malformed, providerMessage: detail },
      { cause: error },
    );
  }
  if (error instanceof ProviderStreamError) return fromStreamErrorValue(error.value, context);
  const broken = brokenConnectionOf(error);
  if (broken !== undefined) {
    const detail = clip(broken);
    return new LlmError(
      `The connection to ${name} broke mid-answer: ${bare(detail)}. Retrying may help.`,
      { ...RETRYABLE, kind: LlmErrorKind.network, providerMessage: detail },
      { cause: error },
    );
  }
  if (error instanceof Error) {
    return new LlmError(
      `${name} failed: ${bare(clip(error.message))}.`,
      { ...NOT_RETRYABLE, kind: LlmErrorKind.other, providerMessage: clip(error.message) },
      { cause: error },
    );
  }
  return fromStreamErrorValue(error, context);
}

/** The idle watchdog's verdict: nothing arrived for `idleMs`. */
export function idleError(context: FailureContext, idleMs: number): LlmError {
  return new LlmError(
    `No data from ${context.provider.name} for ${formatMs(idleMs)}: the connection hung and was closed. Retrying may help.`,
    { ...RETRYABLE, kind: LlmErrorKind.idle, providerMessage: '' },
  );
}

const RETRYABLE = { status: null, retryable: true, retryAfterMs: null } as const;
const NOT_RETRYABLE = { status: null, retryable: false, retryAfterMs: null } as const;

function fromApiCallError(error: APICallError, context: FailureContext): LlmError {
  const name = context.provider.name;
  const providerMessage = clip(messageInBody(error.responseBody) ?? error.message);
  const status = error.statusCode ?? null;
  const broken = brokenConnectionOf(error);
  const cause = error.cause instanceof Error ? clip(error.cause.message) : providerMessage;
  // A success status whose body could not be read, though the connection held: not the API.
  if (status !== null && status < 400 && broken === undefined) {
    return new LlmError(
      `${name} answered ${status}, but bgjobs cannot read the answer (${bare(cause)}). Check that ${context.provider.baseUrlVar} points at a server speaking the ${name} API.`,
      { ...NOT_RETRYABLE, kind: LlmErrorKind.malformed, providerMessage: cause },
      { cause: error },
    );
  }
  // No status, or a success whose body broke off: the connection failed, not the request.
  if (status === null || status < 400) {
    const detail = clip(broken ?? cause);
    const what =
      status === null
        ? `Cannot reach ${name} at ${error.url}`
        : `The connection to ${name} broke mid-answer`;
    return new LlmError(
      `${what}: ${bare(detail)}.${error.isRetryable ? ' Retrying may help.' : ''}`,
      {
        kind: LlmErrorKind.network,
        status: null,
        retryable: error.isRetryable,
        retryAfterMs: null,
        providerMessage: detail,
      },
      { cause: error },
    );
  }
  const retryAfterMs = retryAfterOf(error.responseHeaders);
  const fields = {
    kind: LlmErrorKind.http,
    status,
    retryable: error.isRetryable,
    retryAfterMs,
    providerMessage,
  };
  return new LlmError(describeStatus(status, providerMessage, retryAfterMs, context), fields, {
    cause: error,
  });
}

function describeStatus(
  status: number,
  providerMessage: string,
  retryAfterMs: number | null,
  { provider, modelId }: FailureContext,
): string {
  const said = `${provider.name} answered ${status}: ${bare(providerMessage)}`;
  if (status === 401 || status === 403) {
    const check = provider.keyVars.length > 0 ? keyVarsInWords(provider) : provider.baseUrlVar;
    return `${said}. Check ${check}.`;
  }
  if (status === 404) {
    return `${said}. Check the model name "${modelId}" and the endpoint (${provider.baseUrlVar}).`;
  }
  if (status === 429) {
    const wait = retryAfterMs === null ? '' : ` It asked to wait ${formatMs(retryAfterMs)}.`;
    return `${said}. Rate limited.${wait}`;
  }
  if (status >= 500) return `${said}. The provider failed; retrying may help.`;
  return `${said}. The request was refused; check the model and params.`;
}

// An error the provider sent inside the stream: Anthropic's {type, message}, OpenAI's
// {message, type, code}, Ollama's string.
function fromStreamErrorValue(value: unknown, context: FailureContext): LlmError {
  const providerMessage = clip(messageIn(value) ?? safeJson(value));
  const type = field(value, 'type');
  const code = field(value, 'code');
  const retryable =
    RETRYABLE_STREAM_ERROR.test(`${String(type)} ${String(code)}`) ||
    (typeof code === 'number' && code >= 500);
  return new LlmError(
    `${context.provider.name} reported an error mid-answer: ${bare(providerMessage)}.${retryable ? ' Retrying may help.' : ''}`,
    { kind: LlmErrorKind.provider, status: null, retryable, retryAfterMs: null, providerMessage },
    { cause: value },
  );
}
