// Real worker processes (`bgjobs worker`, each with its own home, standing in for a machine)
// and the daemon's side of remote jobs in this process, recording what it reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { daemonIdOf } from '../../src/remote/daemon/identity.js';
import { RemoteRuns } from '../../src/remote/daemon/remote-runs.js';
import type { RemoteHost, RemoteJobSpec, RemoteRunEnd } from '../../src/remote/daemon/types.js';
import { wireKeys } from '../../src/remote/wire.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';
import type { TestRedis } from './redis-server.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');

export interface TestWorker {
  name: string;
  home: TestHome;
  child: ChildProcess;
  stderr: () => string;
  /** Starts it again (same name and home) after it died or was stopped. */
  restart: () => Promise<void>;
  kill9: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startWorker(
  redis: TestRedis,
  options: {
    name: string;
    labels: string[];
    concurrency?: number;
    env?: Record<string, string>;
    home?: TestHome;
  },
): Promise<TestWorker> {
  const home = options.home ?? makeHome();
  let log = '';
  const worker: TestWorker = {
    name: options.name,
    home,
    child: undefined as unknown as ChildProcess,
    stderr: () => log,
    restart: async () => {
      const args = [CLI, 'worker', '--redis', redis.url.href, '--labels', options.labels.join(',')];
      args.push('--name', options.name, '--concurrency', String(options.concurrency ?? 4));
      const child = spawn(process.execPath, args, {
        env: { ...home.env, BGJOBS_WORKER_HEARTBEAT_MS: '200', ...options.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (data: Buffer) => (log += data.toString()));
      worker.child = child;
      await until(
        () => workerBeats(redis, options.name, child, () => log),
        20_000,
        `worker ${options.name} to beat`,
      );
    },
    kill9: async () => {
      const exited = new Promise((resolve) => worker.child.once('exit', resolve));
      worker.child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      const exited = new Promise((resolve) => worker.child.once('exit', resolve));
      worker.child.kill('SIGTERM');
      await exited;
    },
  };
  await worker.restart();
  return worker;
}

async function workerBeats(
  redis: TestRedis,
  name: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<boolean> {
  if (child.exitCode !== null) {
    throw new Error(`worker ${name} exited with ${child.exitCode}: ${stderr().slice(-1000)}`);
  }
  const client = testClient(redis);
  try {
    const pid = await client.hget(wireKeys('bgjobs').worker(name), 'pid');
    return pid === String(child.pid);
  } finally {
    client.disconnect();
  }
}

export function testClient(redis: TestRedis): Redis {
  const client = new Redis({ host: '127.0.0.1', port: redis.port, password: redis.password });
  client.on('error', () => undefined);
  return client;
}

/** What the daemon's side reported for one job. */
export interface Seen {
  started?: { name: string; host: string; pid: number | null };
  ready?: { state: string; match: string | null };
  ended?: RemoteRunEnd;
  outputs: number;
}

export interface TestDaemon {
  home: TestHome;
  runs: RemoteRuns;
  seen: Map<string, Seen>;
  dirOf: (jobId: string) => string;
  submit: (spec: Partial<RemoteJobSpec> & { command: string; label: string }) => Promise<string>;
  waitEnd: (jobId: string, timeoutMs?: number) => Promise<RemoteRunEnd>;
  waitStart: (jobId: string, timeoutMs?: number) => Promise<NonNullable<Seen['started']>>;
  close: () => Promise<void>;
}

export function newJobId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** The daemon's side of remote jobs, on a home of its own (or HOME, to stand in for a restart). */
export function startDaemonSide(
  redis: TestRedis,
  options: { home?: TestHome; workerTimeoutMs?: number } = {},
): TestDaemon {
  const home = options.home ?? makeHome();
  const seen = new Map<string, Seen>();
  const entry = (id: string) => {
    let value = seen.get(id);
    if (!value) seen.set(id, (value = { outputs: 0 }));
    return value;
  };
  const dirOf = (jobId: string) => join(home.home, 'jobs', jobId);
  const host: RemoteHost = {
    jobDir: dirOf,
    started: (id, info) => (entry(id).started = info),
    ready: (id, state, match) => (entry(id).ready = { state, match }),
    output: (id) => void entry(id).outputs++,
    ended: (id, end) => (entry(id).ended = end),
  };
  const runs = new RemoteRuns({
    redisUrl: redis.url,
    daemonId: daemonIdOf(home.home),
    host,
    workerTimeoutMs: options.workerTimeoutMs ?? 30_000,
    report: () => undefined,
  });
  runs.start();
  return {
    home,
    runs,
    seen,
    dirOf,
    submit: async (spec) => {
      const jobId = spec.jobId ?? newJobId();
      await runs.enqueue({
        jobId,
        seq: 1,
        cwd: null,
        env: {},
        envFromWorker: [],
        pty: null,
        timeoutS: null,
        maxOutputBytes: 10 * 1024 * 1024,
        ready: null,
        priority: 0,
        ...spec,
      });
      return jobId;
    },
    waitEnd: (jobId, timeoutMs = 30_000) =>
      until(() => seen.get(jobId)?.ended, timeoutMs, `job ${jobId} to end`),
    waitStart: (jobId, timeoutMs = 30_000) =>
      until(() => seen.get(jobId)?.started, timeoutMs, `job ${jobId} to start`),
    close: () => runs.close(),
  };
}

/**
 * Stops what a remote test started: what runs against the worker (CLOSE), then the worker and its
 * home, and Redis last even when a step before it failed, so no Redis outlives the test.
 */
export async function stopRemote(parts: {
  close?: () => Promise<unknown> | undefined;
  worker?: TestWorker | undefined;
  redis?: TestRedis | undefined;
}): Promise<void> {
  try {
    await parts.close?.();
    await parts.worker?.stop();
    await parts.worker?.home.cleanup();
  } finally {
    await parts.redis?.cleanup();
  }
}
