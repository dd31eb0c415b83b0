import { homedir } from 'node:os';

import { BgError, ErrorCode } from '../api/errors.js';
import { type Caller, defaultCaller } from '../api/caller.js';
import type { Config } from '../config.js';

// Kept here, not beside the server: the daemon reads its settings without loading the server
// (hono, the MCP SDK) when HTTP is off.
export const DEFAULT_HTTP_PORT = 7717;
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** How the daemon serves HTTP: from `bgjobs serve --http` flags or BGJOBS_HTTP_* variables. */
export interface HttpSettings {
  port: number;
  host: string;
  allowRemote: boolean;
  allowedHosts: string[];
}

type Env = Record<string, string | undefined>;

/**
 * The HTTP settings of the environment, or undefined when HTTP is off: it is on when
 * BGJOBS_HTTP_PORT or BGJOBS_HTTP_HOST is set (BGJOBS_HTTP_ALLOW_REMOTE=1 allows a non-loopback
 * host, BGJOBS_HTTP_ALLOWED_HOSTS names a reverse proxy's host names). A bad value is an error.
 *
 * @example
 * httpSettingsFromEnv({ BGJOBS_HTTP_PORT: '8080' }); // { port: 8080, host: '127.0.0.1', … }
 */
export function httpSettingsFromEnv(env: Env): HttpSettings | undefined {
  const port = env.BGJOBS_HTTP_PORT;
  const host = env.BGJOBS_HTTP_HOST;
  if ((port === undefined || port === '') && (host === undefined || host === '')) return undefined;
  return {
    port:
      port === undefined || port === '' ? DEFAULT_HTTP_PORT : parsePort(port, 'BGJOBS_HTTP_PORT'),
    host: host === undefined || host === '' ? DEFAULT_HTTP_HOST : host.trim(),
    allowRemote: env.BGJOBS_HTTP_ALLOW_REMOTE === '1' || env.BGJOBS_HTTP_ALLOW_REMOTE === 'true',
    allowedHosts: (env.BGJOBS_HTTP_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  };
}

export function parsePort(raw: string, name: string): number {
  const value = Number(raw.trim());
  if (!/^\s*\d+\s*$/.test(raw) || value > 65_535) {
    throw new BgError(
      ErrorCode.config,
      `Setting ${name}="${raw}" is not valid: expected a port number from 0 to 65535.`,
      { data: { setting: name } },
    );
  }
  return value;
}

/**
 * Who jobs started over HTTP run as: this process's environment and the caller settings, in
 * `cwd` (the folder `bgjobs serve` was started in; the user's home for a daemon started on
 * demand, whose own folder is BGJOBS_HOME).
 */
export function httpCaller(config: Config, cwd: string = homedir()): Caller {
  return { ...defaultCaller(config), cwd, reader: 'http' };
}
