// Proves, through a real MCP client over stdio (`node dist/cli.js mcp`), a real daemon and real
// worker processes: `bgjobs://workers` is listed among the resources and reads as the workers on
// Redis (name, host, labels, running, queued, last_seen), the same as `bgjobs workers --json`,
// with running and queued following the jobs sent with `on`; without BGJOBS_REDIS_URL reading it
// is an error that says what to set.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';
import { openStdioMcp, type StdioMcp } from '../helpers/mcp-stdio.js';
import { startWorker, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');

interface Listed {
  name: string;
  host: string;
  labels: string[];
  running: number;
  queued: number;
  last_seen: string;
}

describe('the bgjobs://workers resource', () => {
  let redis: TestRedis;
  let h: TestHome;
  let mcp: StdioMcp | undefined;
  const workers: TestWorker[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    h = makeHome({ BGJOBS_REDIS_URL: redis.url.href });
  });

  afterEach(async () => {
    // Each step runs whatever failed before it: no worker or Redis outlives the test.
    try {
      await mcp?.close();
      mcp = undefined;
      await stopDaemon(h.config());
    } finally {
      for (const worker of workers.splice(0)) {
        await worker.stop();
        await worker.home.cleanup();
      }
      await h.cleanup();
      await redis.cleanup();
    }
  });

  async function readWorkers(): Promise<Listed[]> {
    const result = await mcp!.client.readResource({ uri: 'bgjobs://workers' });
    const content = result.contents[0];
    expect(content?.mimeType).toBe('application/json');
    return JSON.parse(content && 'text' in content ? content.text : 'null') as Listed[];
  }

  it('lists each worker with its labels, running and queued jobs, and last heartbeat', async () => {
    workers.push(await startWorker(redis, { name: 'gpu-box', labels: ['gpu'], concurrency: 1 }));
    workers.push(await startWorker(redis, { name: 'cpu-box', labels: ['cpu', 'linux'] }));
    await startDaemon(h.config(), { env: h.env });
    mcp = await openStdioMcp(h);

    const { resources } = await mcp.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('bgjobs://workers');

    const idle = await readWorkers();
    expect(idle.map((w) => [w.name, w.host, w.labels, w.running, w.queued])).toEqual([
      ['cpu-box', hostname(), ['cpu', 'linux'], 0, 0],
      ['gpu-box', hostname(), ['gpu'], 0, 0],
    ]);
    for (const worker of idle) expect(Date.parse(worker.last_seen)).not.toBeNaN();

    // gpu-box runs one job at a time: the first runs, the second is claimed and waits for its
    // slot, the third waits in the gpu queue.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await mcp.call('execute', { command: 'sleep 600', on: 'gpu' });
      expect(started.isError, JSON.stringify(started.content)).toBeFalsy();
      ids.push((started.structuredContent as { job_id: string }).job_id);
    }
    const busy = await until(
      async () => {
        const listed = await readWorkers();
        const gpu = listed.find((w) => w.name === 'gpu-box');
        return gpu?.running === 1 && gpu.queued === 1 ? listed : undefined;
      },
      30_000,
      'gpu-box to run one job with one queued',
    );
    expect(busy.find((w) => w.name === 'cpu-box')).toMatchObject({ running: 0, queued: 0 });

    // The same list as `bgjobs workers --json`.
    const cli = JSON.parse(
      execFileSync(process.execPath, [CLI, 'workers', '--json'], { env: h.env, encoding: 'utf8' }),
    ) as Listed[];
    expect(cli.map((w) => [w.name, w.labels, w.running, w.queued])).toEqual(
      busy.map((w) => [w.name, w.labels, w.running, w.queued]),
    );

    for (const job_id of ids) {
      const killed = await mcp.call('kill', { job_id, grace_s: 1 });
      expect(killed.isError, JSON.stringify(killed.content)).toBeFalsy();
    }
  });

  it('says what to set when the server has no BGJOBS_REDIS_URL', async () => {
    const plain = makeHome();
    try {
      mcp = await openStdioMcp(plain);
      const { resources } = await mcp.client.listResources();
      expect(resources.map((r) => r.uri)).toContain('bgjobs://workers');
      await expect(mcp.client.readResource({ uri: 'bgjobs://workers' })).rejects.toThrow(
        /no BGJOBS_REDIS_URL/,
      );
    } finally {
      await mcp?.close();
      mcp = undefined;
      await stopDaemon(plain.config());
      await plain.cleanup();
    }
  });
});
