// What the remote step starts, and ends: one redis-server on a free loopback port with a
// password, and `bgjobs worker` processes, each with a home of its own (a machine each).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { Redis } from 'ioredis';

import { wireKeys } from '../src/remote/wire.js';
import { freePort } from './readiness.js';
import { cleanupHome, makeHome, type BenchHome } from './home.js';

const CLI = resolve(import.meta.dirname, '../dist/cli.js');

export interface BenchRedis {
  url: URL;
  client: Redis;
  stop: () => Promise<void>;
}

export async function startRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'bgjobs-bench-redis-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password];
  args.push('--dir', dir, '--save', '', '--appendonly', 'no');
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true });
  client.on('error', () => undefined);
  const stop = async () => {
    client.disconnect();
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await Promise.race([exited(server), delay(5000)]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () =>
        (await client
          .connect()
          .then(() => client.ping())
          .catch(() => '')) === 'PONG',
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: new URL(`redis://:${password}@127.0.0.1:${port}`), client, stop };
}

export interface BenchWorker {
  name: string;
  home: BenchHome;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** Starts `bgjobs worker` in a home of its own; resolves once it beats on Redis. */
export async function startWorker(
  redis: BenchRedis,
  name: string,
  labels: string[],
  concurrency: number,
): Promise<BenchWorker> {
  const home = makeHome(`worker-${name}`);
  const args = [CLI, 'worker', '--redis', redis.url.href, '--labels', labels.join(',')];
  args.push('--name', name, '--concurrency', String(concurrency));
  const child = spawn(process.execPath, args, {
    env: home.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (data: Buffer) => (log = (log + data.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited(child), delay(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Its jobs run on under their monitors when it stops: they carry its home, and end here.
    await cleanupHome(home);
  };
  try {
    const key = wireKeys('bgjobs').worker(name);
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`worker ${name} exited: ${log}`);
      return (await redis.client.hget(key, 'pid')) === String(child.pid);
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, home, child, stop };
}

/** How many runs a worker says it holds, from its heartbeat. */
export async function runningOn(redis: BenchRedis, name: string): Promise<number> {
  return Number(await redis.client.hget(wireKeys('bgjobs').worker(name), 'running'));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: gave up after ${timeoutMs} ms`);
    await delay(20);
  }
}
