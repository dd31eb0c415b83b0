// A type only: the CLI loads this module without loading zod (see isZodError).
import type { ZodError } from 'zod';

/**
 * The one error class of bgjobs. A domain failure carries a string-literal `code` and a message
 * that says what happened and what to do next; adapters turn it into an `isError` tool result,
 * a CLI message with a meaningful exit code, or a socket error reply.
 *
 * @example
 * throw new BgError('not_found', `No job "${id}". Call \`list\` to see the jobs there are.`);
 */
export const ErrorCode = {
  invalidInput: 'invalid_input',
  notFound: 'not_found',
  notRunning: 'not_running',
  stillRunning: 'still_running',
  limitReached: 'limit_reached',
  notAllowed: 'not_allowed',
  nameTaken: 'name_taken',
  config: 'config',
  daemonUnavailable: 'daemon_unavailable',
  internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

// Marks a BgError of any copy of this module: the CLI's bundle holds one, dist another.
const BRAND = Symbol.for('bgjobs.BgError');

export class BgError extends Error {
  override readonly name = 'BgError';
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.data = options.data;
  }
}

export function isBgError(error: unknown): error is BgError {
  return error instanceof BgError || (error instanceof Error && Reflect.get(error, BRAND) === true);
}

/** One readable sentence from a zod error: which field, and what was wrong with it. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/** A zod validation error, known by its shape, so this module need not load zod to tell. */
function isZodError(error: unknown): error is ZodError {
  return (
    error instanceof Error &&
    error.name === 'ZodError' &&
    Array.isArray(Reflect.get(error, 'issues'))
  );
}

/** Turns anything thrown into a BgError, keeping the original as `cause`. */
export function toBgError(error: unknown): BgError {
  if (isBgError(error)) return error;
  if (isZodError(error)) {
    return new BgError(ErrorCode.invalidInput, `Invalid input: ${describeZodError(error)}.`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BgError(ErrorCode.internal, `Internal error: ${message}`, { cause: error });
}
