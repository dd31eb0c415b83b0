import { timingSafeEqual } from 'node:crypto';

/**
 * The HTTP server's guards, as pure functions of a request's headers: each answers `ok`, or
 * the status to refuse with and why. They are mounted once, in front of every route (see
 * `app.ts`), and tested on their own. A web page in the user's own browser is the attacker
 * here: DNS rebinding (a foreign `Host`), cross-site requests (a foreign `Origin`, no CSRF
 * proof), and guessing the token (compared in constant time).
 */
export type GuardResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

const OK: GuardResult = { ok: true };

function refuse(status: 401 | 403, reason: string): GuardResult {
  return { ok: false, status, reason };
}

/** Names that always mean this machine. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Whether two secrets are equal, in time that does not depend on where they differ. Only
 * whether their lengths match shows, which tells nothing: the token and the signatures compared
 * here have one public length (43 characters: 32 random bytes or an HMAC-SHA256, base64url).
 * Hashing both first would hide even that, at two SHA-256s a request.
 *
 * @example
 * tokensEqual(fromHeader, token); // false for a wrong token, as slowly as for a right one
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}

/** The hostname of a `Host` header (`127.0.0.1:7717` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

/**
 * `Host` must name this machine (a loopback name) or one of the configured hosts: a page that
 * rebinds its own name to 127.0.0.1 still sends its own name here.
 */
export function checkHost(host: string | undefined, allowed: readonly string[]): GuardResult {
  if (host === undefined || host === '') return refuse(403, 'no Host header');
  const name = hostnameOf(host);
  const names = [...LOOPBACK_HOSTNAMES, ...allowed.map((h) => hostnameOf(h))];
  return names.includes(name) ? OK : refuse(403, `foreign Host "${host}"`);
}

/**
 * `Origin`, when a browser sends one, must be the dashboard's own: the same host and port the
 * request was sent to (`Host`, itself checked by `checkHost`). A request from another site's
 * page carries that site's origin; `null` (a sandboxed frame, a redirect) is foreign too.
 */
export function checkOrigin(origin: string | undefined, host: string | undefined): GuardResult {
  if (origin === undefined) return OK;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return refuse(403, `foreign Origin "${origin}"`);
  }
  const sameHost = host !== undefined && url.host === host.trim().toLowerCase();
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  return web && sameHost ? OK : refuse(403, `foreign Origin "${origin}"`);
}

/** `Authorization: Bearer TOKEN`, the token compared in constant time. */
export function checkBearer(authorization: string | undefined, token: string): GuardResult {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return refuse(401, 'no bearer token');
  return tokensEqual(match[1], token) ? OK : refuse(401, 'wrong bearer token');
}

/** Methods that change nothing: they need the session cookie, but no CSRF proof. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * A state-changing dashboard request must prove it comes from the dashboard's own page: the
 * `X-CSRF-Token` header, which only a page of this origin can read (from `/api/session`), must
 * equal the session's CSRF token. A cross-site form can send the cookie, never this header.
 */
export function checkCsrf(method: string, given: string | undefined, expected: string) {
  if (isSafeMethod(method)) return OK;
  if (given === undefined || given === '') return refuse(403, 'no CSRF token');
  return tokensEqual(given, expected) ? OK : refuse(403, 'wrong CSRF token');
}

/**
 * The Content-Security-Policy of every response: scripts and connections only from this
 * origin, nothing inline but styles (the terminal view sets its colours in a style element),
 * no frames of this page elsewhere, no plugins, no base or form targets elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers every response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
