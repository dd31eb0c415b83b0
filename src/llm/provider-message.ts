// The provider's own words in an error, and the small helpers that clip and describe them.

const MAX_PROVIDER_MESSAGE = 1000;

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The provider's message in an error body: {error:{message}}, {error:"…"}, {message}, [{error}]. */
export function messageInBody(body: string | undefined): string | undefined {
  if (body === undefined || body.trim() === '') return undefined;
  try {
    return messageIn(JSON.parse(body)) ?? undefined;
  } catch {
    return body.trim();
  }
}

export function messageIn(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return messageIn(value[0]);
  const error = field(value, 'error');
  const message = field(value, 'message');
  if (error !== undefined) {
    const inner = messageIn(error);
    if (inner !== undefined) return inner;
  }
  return typeof message === 'string' ? message : undefined;
}

/** Milliseconds to wait from Retry-After-Ms, or Retry-After in seconds or as an HTTP date. */
export function retryAfterOf(headers: Record<string, string> | undefined): number | null {
  if (!headers) return null;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number(ms)) && Number(ms) >= 0) {
    return Math.round(Number(ms));
  }
  const after = headers['retry-after']?.trim();
  if (!after) return null;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.round(Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** What broke, when ERROR (or one of its causes) is a connection that failed. */
export function brokenConnectionOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = field(current, 'code');
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return `${current.message} (${code})`;
    // undici ends a body cut off mid-stream with TypeError("terminated", { cause }).
    if (current instanceof TypeError && current.message === 'terminated') {
      const cause: unknown = current.cause;
      return cause instanceof Error ? cause.message : 'the connection closed';
    }
    current = current.cause;
  }
  return undefined;
}

export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** TEXT without its closing full stop, to end a sentence of ours. */
export function bare(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

export function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_PROVIDER_MESSAGE ? `${flat.slice(0, MAX_PROVIDER_MESSAGE)}…` : flat;
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
