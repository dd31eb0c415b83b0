import { createHmac, randomBytes } from 'node:crypto';

import { tokensEqual } from './guards.js';

/** How long a login link works, and it works once. */
export const LOGIN_TTL_MS = 5 * 60_000;
export const SESSION_COOKIE = 'bgjobs_session';

function sign(token: string, purpose: string): string {
  return createHmac('sha256', token).update(purpose).digest('base64url');
}

/**
 * A one-time login code: a nonce and an expiry signed with the token, so `bgjobs dashboard`
 * can make one from the token file alone, and the server can check it without having seen it.
 *
 * @example
 * `http://127.0.0.1:7717/login?code=${makeLoginCode(token)}`
 */
export function makeLoginCode(token: string, now = Date.now()): string {
  const nonce = randomBytes(12).toString('base64url');
  const expires = now + LOGIN_TTL_MS;
  return `${nonce}.${expires}.${sign(token, `login:${nonce}:${expires}`)}`;
}

/** Checks login codes and remembers the ones used, until they would have expired anyway. */
export class LoginCodes {
  private readonly used = new Map<string, number>();

  /** Whether `code` is a valid, unexpired, unused code for `token`; marks it used if so. */
  redeem(code: string, token: string, now = Date.now()): boolean {
    for (const [nonce, expires] of this.used) if (expires <= now) this.used.delete(nonce);
    const [nonce, expiresText, signature] = code.split('.');
    if (!nonce || !expiresText || !signature || !/^\d{1,15}$/.test(expiresText)) return false;
    const expires = Number(expiresText);
    if (!tokensEqual(signature, sign(token, `login:${nonce}:${expires}`))) return false;
    if (expires <= now || expires > now + LOGIN_TTL_MS || this.used.has(nonce)) return false;
    this.used.set(nonce, expires);
    return true;
  }
}

/** A new dashboard session's cookie value: a session id signed with the token. */
export function makeSessionCookie(token: string): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${sign(token, `session:${id}`)}`;
}

/** The session id of a cookie signed with this token, or undefined. */
export function sessionOf(cookie: string | undefined, token: string): string | undefined {
  const [id, signature, extra] = (cookie ?? '').split('.');
  if (!id || !signature || extra !== undefined) return undefined;
  return tokensEqual(signature, sign(token, `session:${id}`)) ? id : undefined;
}

/** The CSRF token of a session: only a page of the dashboard's origin can read it. */
export function csrfTokenOf(sessionId: string, token: string): string {
  return sign(token, `csrf:${sessionId}`);
}
