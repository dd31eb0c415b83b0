// Proves: each HTTP guard on its own — the token compare (equal only for the same secret, any
// length), Host (loopback names and configured hosts only, ports ignored), Origin (absent, or
// exactly the Host the request was sent to), bearer parsing, CSRF (needed for every method but
// GET/HEAD/OPTIONS) — and that the CSP forbids inline and foreign scripts and framing.
import { describe, expect, it } from 'vitest';

import {
  checkBearer,
  checkCsrf,
  checkHost,
  checkOrigin,
  CONTENT_SECURITY_POLICY,
  tokensEqual,
} from '../../src/http/guards.js';

describe('tokensEqual', () => {
  it('is true only for the same secret', () => {
    expect(tokensEqual('abc123', 'abc123')).toBe(true);
    expect(tokensEqual('abc124', 'abc123')).toBe(false);
    expect(tokensEqual('abc12', 'abc123')).toBe(false);
    expect(tokensEqual('', '')).toBe(false);
  });
});

describe('checkHost', () => {
  it('accepts loopback names, with or without a port', () => {
    for (const host of ['127.0.0.1:7717', 'localhost:7717', 'LOCALHOST', '[::1]:7717']) {
      expect(checkHost(host, []).ok, host).toBe(true);
    }
  });

  it('refuses other names (DNS rebinding) unless configured', () => {
    expect(checkHost('evil.example:7717', [])).toMatchObject({ ok: false, status: 403 });
    expect(checkHost('127.0.0.1.evil.example', [])).toMatchObject({ ok: false });
    expect(checkHost(undefined, [])).toMatchObject({ ok: false, status: 403 });
    expect(checkHost('jobs.example.com', ['jobs.example.com']).ok).toBe(true);
  });
});

describe('checkOrigin', () => {
  it('accepts no Origin and the dashboard’s own', () => {
    expect(checkOrigin(undefined, '127.0.0.1:7717').ok).toBe(true);
    expect(checkOrigin('http://127.0.0.1:7717', '127.0.0.1:7717').ok).toBe(true);
    expect(checkOrigin('https://jobs.example.com', 'jobs.example.com').ok).toBe(true);
  });

  it('refuses another site, another port, null and other schemes', () => {
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1:8080',
      'http://localhost:7717',
      'null',
      'file://',
    ]) {
      expect(checkOrigin(origin, '127.0.0.1:7717'), origin).toMatchObject({
        ok: false,
        status: 403,
      });
    }
  });
});

describe('checkBearer', () => {
  it('needs Authorization: Bearer with the token', () => {
    expect(checkBearer('Bearer s3cret-token', 's3cret-token').ok).toBe(true);
    expect(checkBearer('bearer s3cret-token', 's3cret-token').ok).toBe(true);
    expect(checkBearer('Bearer wrong', 's3cret-token')).toMatchObject({ ok: false, status: 401 });
    expect(checkBearer(undefined, 's3cret-token')).toMatchObject({ ok: false, status: 401 });
    expect(checkBearer('Basic czNjcmV0', 's3cret-token')).toMatchObject({ ok: false });
  });
});

describe('checkCsrf', () => {
  it('lets safe methods through and needs the right token for the others', () => {
    expect(checkCsrf('GET', undefined, 'csrf').ok).toBe(true);
    expect(checkCsrf('POST', 'csrf', 'csrf').ok).toBe(true);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect(checkCsrf(method, undefined, 'csrf'), method).toMatchObject({
        ok: false,
        status: 403,
      });
      expect(checkCsrf(method, 'other', 'csrf'), method).toMatchObject({ ok: false, status: 403 });
    }
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows scripts only from the page’s own origin and no framing', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });
});
