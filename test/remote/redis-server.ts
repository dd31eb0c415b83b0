// A real redis-server per test: a free loopback port, a password, a temp dir; stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { until } from '../helpers/home.js';

export interface TestRedis {
  url: URL;
  port: number;
  password: string;
  /** Stops it (SIGTERM: with `persist`, it writes its data first), and waits for it to exit. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and dir (after stop). */
  restart: () => Promise<void>;
  /** Stops it for good and removes its dir. */
  cleanup: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts redis-server; `persist` keeps its data across a restart (append-only file). */
export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'bgjobs-redis-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const url = new URL(`redis://:${password}@127.0.0.1:${port}`);
  let child: ChildProcess | undefined;

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password];
    args.push('--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning');
    args.push(
      ...(options.persist
        ? ['--appendonly', 'yes', '--appendfsync', 'always']
        : ['--appendonly', 'no']),
    );
    child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    await until(() => ping(url), 10_000, 'redis-server to answer');
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    url,
    port,
    password,
    stop,
    restart: launch,
    cleanup: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ping(url: URL): Promise<boolean> {
  const client = new Redis({
    host: url.hostname,
    port: Number(url.port),
    password: decodeURIComponent(url.password),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
