import { BgError, ErrorCode } from '../api/errors.js';

// Apart from redis.ts so that checking a setting does not load the Redis client.

/**
 * Checks a Redis URL: `redis://` or `rediss://` (TLS), with a password or an ACL user and
 * password in it. The password never appears in messages.
 */
export function checkRedisUrl(raw: string, name = 'BGJOBS_REDIS_URL'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BgError(
      ErrorCode.config,
      `${name} is not a URL. Give it as redis://[user:]password@host:port[/db] (rediss:// for TLS).`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new BgError(
      ErrorCode.config,
      `${name} must start with redis:// or rediss:// (TLS), not ${url.protocol}//.`,
    );
  }
  return url;
}

/** The URL as it may be shown: without its password. */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return shown.href;
}
