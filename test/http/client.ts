// Plain HTTP requests with any headers (Host and Origin too), and a dashboard login.
import { request as httpRequest } from 'node:http';

import { makeLoginCode } from '../../src/http/login.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { host: url.host, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs in with a one-time link; returns the Cookie header and the session's CSRF token. */
export async function login(
  base: string,
  token: string,
): Promise<{ cookie: string; csrf: string }> {
  const reply = await send(base, 'GET', `/login?code=${makeLoginCode(token)}`);
  if (reply.status !== 303) throw new Error(`login failed: ${reply.status} ${reply.body}`);
  const setCookie = reply.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  const session = await send(base, 'GET', '/api/session', { cookie });
  const { csrf } = JSON.parse(session.body) as { csrf: string };
  return { cookie, csrf };
}
