import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { Config } from '../config.js';
import type { HttpSettings } from '../http/settings.js';
import { ErrorCode, isBgError } from '../api/errors.js';
import { Engine } from '../engine/engine.js';
import { VERSION } from '../version.js';
import { socketPath } from './paths.js';
import type { PingResult } from './protocol.js';
import { SocketServer } from './server.js';

const IDLE_CHECK_MS = 1000;

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} bgjobs daemon[${process.pid}] ${message}\n`);
}

/**
 * Runs the daemon in the foreground until it is asked to stop, receives SIGTERM/SIGINT, or has
 * been idle (nothing running or queued, no request) for BGJOBS_IDLE_TIMEOUT seconds. Jobs keep
 * running when it stops. If another daemon already owns this home, returns at once.
 */
export async function runDaemon(
  config: Config,
  options: { http?: HttpSettings | undefined; httpCwd?: string } = {},
): Promise<void> {
  let engine: Engine;
  try {
    engine = await Engine.open(config);
  } catch (error) {
    if (isBgError(error) && error.code === ErrorCode.daemonUnavailable) {
      log('another daemon owns this home; leaving it to that one');
      return;
    }
    throw error;
  }
  const startedAt = new Date();
  let lastActivity = Date.now();
  let stopping = false;
  const stopped = new AbortController();

  const server = new SocketServer({
    api: engine,
    ping: (): PingResult => ({
      pid: process.pid,
      version: VERSION,
      home: config.home,
      started_at: startedAt.toISOString(),
      running_jobs: engine.runningCount(),
      queued_jobs: engine.store.countByStatus('queued'),
      settings: { ...config, allowedCommands: config.allowedCommands ?? null },
      http_url: http?.url ?? null,
    }),
    shutdown: () => stop('asked to stop'),
    onActivity: () => {
      lastActivity = Date.now();
    },
  });
  engine.events.on('ended', () => {
    lastActivity = Date.now();
  });

  function stop(why: string): void {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    stopped.abort();
  }

  const path = socketPath(config.home);
  await server.listen(path);
  // While it serves HTTP the daemon stays up: clients come and go over HTTP.
  let http: { url: string; close: () => Promise<void> } | undefined;
  if (options.http !== undefined) {
    try {
      http = await serveHttp(config, engine, options.http, options.httpCwd);
    } catch (error) {
      await server.close();
      rmSync(path, { force: true });
      await engine.close();
      throw error;
    }
    log(`serving HTTP on ${http.url} (MCP at ${http.url}/mcp, the dashboard at ${http.url}/)`);
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => undefined);
  log(`listening on ${path} (home ${config.home})`);

  while (!stopping) {
    await delay(IDLE_CHECK_MS, undefined, { signal: stopped.signal }).catch(() => undefined);
    const idleFor = Date.now() - lastActivity;
    if (
      config.idleTimeoutS > 0 &&
      http === undefined &&
      engine.isIdle() &&
      server.inFlight === 0 &&
      idleFor >= config.idleTimeoutS * 1000
    ) {
      stop(`idle for ${Math.round(idleFor / 1000)} s with nothing running`);
    }
  }
  await http?.close();
  await server.close();
  rmSync(path, { force: true });
  await engine.close();
  log('stopped; jobs still running go on under their monitors');
}

async function serveHttp(
  config: Config,
  engine: Engine,
  settings: HttpSettings,
  cwd: string | undefined,
): Promise<{ url: string; close: () => Promise<void> }> {
  const { startHttpServer } = await import('../http/server.js');
  const { httpCaller } = await import('../http/settings.js');
  return startHttpServer({
    api: engine,
    home: config.home,
    caller: httpCaller(config, cwd),
    version: VERSION,
    ...settings,
    log: (message) => log(`http: ${message}`),
  });
}
