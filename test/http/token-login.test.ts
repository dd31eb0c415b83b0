// Proves: the HTTP token is made at first use, private (0600), the same for every reader (also
// when many make it at once), and replaced by rotate (and the server's TokenSource follows);
// a login code works once, only before it expires and only with the token it was made with; a
// session cookie and its CSRF token are bound to the token.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  csrfTokenOf,
  LOGIN_TTL_MS,
  LoginCodes,
  makeLoginCode,
  makeSessionCookie,
  sessionOf,
} from '../../src/http/login.js';
import { readOrCreateToken, rotateToken, TokenSource, tokenPath } from '../../src/http/token.js';

// Each test's temp folder (removed after it) and the home it uses, the folder or one inside it.
let root: string;
let home: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function freshHome(inside?: string): string {
  root = mkdtempSync(join(tmpdir(), 'bgjobs-test-'));
  return inside === undefined ? root : join(root, inside);
}

describe('the token file', () => {
  it('is made at first use, 0600, and read the same after', () => {
    home = freshHome('home');
    const token = readOrCreateToken(home);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600);
    expect(readOrCreateToken(home)).toBe(token);
  });

  it('is one token for concurrent first readers', async () => {
    home = freshHome();
    const tokens = await Promise.all(
      Array.from({ length: 20 }, async () => readOrCreateToken(home)),
    );
    expect(new Set(tokens).size).toBe(1);
  });

  it('is replaced by rotate, and the server’s source follows', () => {
    home = freshHome();
    const source = new TokenSource(home);
    const first = source.get();
    const second = rotateToken(home);
    expect(second).not.toBe(first);
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600);
    expect(source.get()).toBe(second);
  });
});

describe('login codes and sessions', () => {
  it('a code works once, before it expires, with its own token', () => {
    home = freshHome();
    const codes = new LoginCodes();
    const now = Date.now();
    const code = makeLoginCode('token-a', now);
    expect(codes.redeem(code, 'token-b', now)).toBe(false);
    expect(codes.redeem(code, 'token-a', now)).toBe(true);
    expect(codes.redeem(code, 'token-a', now)).toBe(false);
    const late = makeLoginCode('token-a', now);
    expect(codes.redeem(late, 'token-a', now + LOGIN_TTL_MS + 1)).toBe(false);
    expect(codes.redeem('garbage', 'token-a', now)).toBe(false);
    expect(codes.redeem(code.replace(/\.\d+\./, `.${now + 10_000}.`), 'token-a', now)).toBe(false);
  });

  it('a session cookie and its CSRF token are bound to the token', () => {
    home = freshHome();
    const cookie = makeSessionCookie('token-a');
    const session = sessionOf(cookie, 'token-a');
    expect(session).toBeDefined();
    expect(sessionOf(cookie, 'token-b')).toBeUndefined();
    expect(sessionOf(`${cookie}x`, 'token-a')).toBeUndefined();
    expect(sessionOf(undefined, 'token-a')).toBeUndefined();
    expect(csrfTokenOf(session ?? '', 'token-a')).not.toBe(csrfTokenOf(session ?? '', 'token-b'));
  });
});
