import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { Config } from '../config.js';
import type { startHttpServer as StartHttpServer } from '../http/server.js';
import type { HttpSettings } from '../http/settings.js';
import { BgError, isBgError } from '../api/errors.js';
import type { AgentsApi } from '../agents/contract.js';
import { applyConfigFile, startDaemonAgents } from '../agents/daemon-agents.js';
import { isDiskFull } from '../disk/space.js';
import { Engine } from '../engine/engine.js';
import { VERSION } from '../version.js';
import { forgetDaemonEnv } from './daemon-env.js';
import { makeLogger } from './log.js';
import { socketPath } from './paths.js';
import { removePidFile, writePidFile } from './pid-file.js';
import type { PingResult } from './protocol.js';
import { SocketServer } from './server.js';
import { explainHomeError } from './home-errors.js';
import { lockOwner } from './start-errors.js';

// The idle check sleeps until the idle timeout could have run out, at least this long, and at
// most IDLE_CHECK_MAX_MS (the timeout is counted from the last activity, which moves meanwhile).
const IDLE_CHECK_MS = 1000;
const IDLE_CHECK_MAX_MS = 60_000;
const IDLE_NEVER_MS = 2 ** 31 - 1;

export interface DaemonOptions {
  /** Serve MCP over HTTP and the dashboard (`bgjobs serve --http`, BGJOBS_HTTP_PORT). */
  http?: HttpSettings | undefined;
  /** The working directory HTTP callers' jobs start in. */
  httpCwd?: string;
  /** A project file to apply once the daemon listens (`bgjobs serve --config`). */
  configFile?: string;
  /** One JSON line per event on stdout instead of text on stderr. */
  json?: boolean;
  logLevel?: string;
}

/**
 * Runs the daemon in the foreground until it is asked to stop, receives SIGTERM/SIGINT, or has
 * been idle (nothing running or queued, no request) for BGJOBS_IDLE_TIMEOUT seconds. Jobs keep
 * running when it stops. If another daemon already owns this home, returns at once.
 */
export async function runDaemon(config: Config, options: DaemonOptions = {}): Promise<void> {
  forgetDaemonEnv();
  const logger = makeLogger({ json: options.json ?? false, level: options.logLevel });
  const log = (message: string): void => logger('info', message);
  // The log is a file in BGJOBS_HOME: on a full disk a failed write must not end the daemon.
  process.stderr.on('error', () => undefined);
  const engine = await openHome(config, log);
  if (engine === undefined) return;
  // Arming the agents reads the database past what opening it did: damage found there is named.
  const daemonAgents = await startDaemonAgents(engine, config.home, logger).catch(
    async (error: unknown) => {
      removePidFile(config.home);
      await engine.close();
      throw explainHomeError(error, config.home);
    },
  );
  const startedAt = new Date();
  let lastActivity = Date.now();
  let stopping = false;
  const stopped = new AbortController();

  const server = new SocketServer({
    api: engine,
    agents: daemonAgents.api,
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
    log,
    explain: (error) => explainHomeError(error, config.home),
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

  // Loaded before the socket answers: whoever started this daemon for HTTP asks it for its URL
  // as soon as it answers, and hono and the MCP SDK take a while to load.
  const httpServer = options.http === undefined ? undefined : await import('../http/server.js');
  const path = socketPath(config.home);
  try {
    await server.listen(path);
  } catch (error) {
    await daemonAgents.agents.close();
    await engine.close();
    throw explainHomeError(error, config.home);
  }
  // While it serves HTTP the daemon stays up: clients come and go over HTTP.
  let http: { url: string; close: () => Promise<void> } | undefined;
  if (httpServer !== undefined) {
    try {
      http = await serveHttp(
        httpServer.startHttpServer,
        config,
        engine,
        daemonAgents.api,
        options,
        log,
      );
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
  if (options.configFile !== undefined)
    await applyConfigFile(daemonAgents.api, options.configFile, logger);

  const idleFor = (): number => Date.now() - lastActivity;
  const mayStop = (): boolean =>
    http === undefined &&
    engine.isIdle() &&
    daemonAgents.agents.armedCount === 0 &&
    server.inFlight === 0;
  while (!stopping) {
    // What keeps the daemon up (a job, an agent, a request) ends with an activity, which
    // restarts the count: until the timeout has run out again there is nothing to look at.
    const timeoutMs = config.idleTimeoutS * 1000;
    const left = timeoutMs - idleFor();
    const wait =
      timeoutMs <= 0
        ? IDLE_NEVER_MS
        : clamp(left > 0 ? left : timeoutMs, IDLE_CHECK_MS, IDLE_CHECK_MAX_MS);
    await delay(wait, undefined, { signal: stopped.signal }).catch(() => undefined);
    if (config.idleTimeoutS > 0 && idleFor() >= config.idleTimeoutS * 1000 && mayStop()) {
      stop(`idle for ${Math.round(idleFor() / 1000)} s with nothing running`);
    }
  }
  await http?.close();
  await server.close();
  rmSync(path, { force: true });
  await daemonAgents.agents.close();
  // While the lock is still held, so a daemon started next writes its own after this is gone.
  removePidFile(config.home);
  await engine.close();
  log('stopped; jobs still running go on under their monitors');
}

/**
 * Opens the home's engine, taking its lock, or says why it cannot (in words that name the cause
 * and the fix). Undefined when another live daemon holds the home: this one leaves it to that.
 */
async function openHome(
  config: Config,
  log: (message: string) => void,
): Promise<Engine | undefined> {
  let engine: Engine;
  try {
    engine = await Engine.open(config);
  } catch (error) {
    if (!isBgError(error) || error.data?.locked === undefined) {
      throw explainHomeError(error, config.home);
    }
    const owner = await lockOwner(config.home, error);
    if (owner instanceof BgError) throw owner;
    log(`another daemon (pid ${owner}) owns this home; leaving it to that one`);
    return undefined;
  }
  try {
    writePidFile(config.home);
  } catch (error) {
    // The pid file only helps a daemon starting meanwhile tell who holds the lock: on a full
    // disk this one serves without it (reads answered, new jobs refused with the numbers).
    if (isDiskFull(error)) {
      log('the disk is full: serving without a pid file');
      return engine;
    }
    await engine.close();
    throw explainHomeError(error, config.home);
  }
  return engine;
}

async function serveHttp(
  startHttpServer: typeof StartHttpServer,
  config: Config,
  engine: Engine,
  agents: AgentsApi,
  options: { http?: HttpSettings | undefined; httpCwd?: string },
  log: (message: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const { httpCaller } = await import('../http/settings.js');
  return startHttpServer({
    api: engine,
    home: config.home,
    caller: httpCaller(config, options.httpCwd),
    agents,
    version: VERSION,
    ...options.http,
    log: (message) => log(`http: ${message}`),
  });
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
