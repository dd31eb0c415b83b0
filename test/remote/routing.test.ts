// Proves: a job with `on: LABEL` runs only on a worker with that label, under its own monitor
// in that worker's home; its output is mirrored into the job's folder and its exit code is exact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startDaemonSide, startWorker, type TestDaemon, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

describe('routing by label', () => {
  let redis: TestRedis;
  let daemon: TestDaemon;
  const workers: TestWorker[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    daemon = startDaemonSide(redis);
  });

  afterEach(async () => {
    await daemon.close();
    for (const worker of workers.splice(0)) {
      await worker.stop();
      await worker.home.cleanup();
    }
    await daemon.home.cleanup();
    await redis.cleanup();
  });

  it('runs each job on a worker of its label, with exact output and exit code', async () => {
    workers.push(await startWorker(redis, { name: 'gpu-box', labels: ['gpu'] }));
    workers.push(await startWorker(redis, { name: 'cpu-box', labels: ['cpu', 'linux'] }));
    const jobs = [] as { id: string; label: string; code: number }[];
    for (let i = 0; i < 6; i++) {
      const label = ['gpu', 'cpu', 'linux'][i % 3] as string;
      const code = i;
      const id = await daemon.submit({
        label,
        command: `printf 'out %s\\n' "$BGJOBS_HOME"; echo err-${i} >&2; exit ${code}`,
      });
      jobs.push({ id, label, code });
    }
    for (const job of jobs) {
      const end = await daemon.waitEnd(job.id);
      const worker = job.label === 'gpu' ? workers[0] : workers[1];
      expect(end.exitCode).toBe(job.code);
      expect(end.error).toBeNull();
      expect(end.worker?.name).toBe(worker?.name);
      expect(daemon.seen.get(job.id)?.started?.name).toBe(worker?.name);
      const dir = daemon.dirOf(job.id);
      expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe(`out ${worker?.home.home}\n`);
      expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe(`err-${jobs.indexOf(job)}\n`);
    }
  });

  it('leaves a job queued while no worker has its label', async () => {
    workers.push(await startWorker(redis, { name: 'cpu-box', labels: ['cpu'] }));
    const waiting = await daemon.submit({ label: 'gpu', command: 'echo never' });
    const done = await daemon.submit({ label: 'cpu', command: 'echo done' });
    expect((await daemon.waitEnd(done)).exitCode).toBe(0);
    expect(daemon.seen.get(waiting)).toBeUndefined();
    workers.push(await startWorker(redis, { name: 'gpu-box', labels: ['gpu'] }));
    const end = await daemon.waitEnd(waiting);
    expect(end.worker?.name).toBe('gpu-box');
    expect(readFileSync(join(daemon.dirOf(waiting), 'stdout'), 'utf8')).toBe('never\n');
  });
});
