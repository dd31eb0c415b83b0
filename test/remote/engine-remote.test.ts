// Proves: through the engine (the API every adapter uses), `on: LABEL` runs a job on a worker
// with that label; status gives `on` and `worker`; output, wait and search read the mirrored
// files unchanged; interact reaches a remote python3 -i; kill ends the remote job as killed;
// a job is refused `on` without BGJOBS_REDIS_URL; a reopened engine (a daemon restart) follows
// its remote job to its exact end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { startWorker, stopRemote, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

describe('remote jobs through the engine', () => {
  let redis: TestRedis;
  let h: EngineHarness;
  let worker: TestWorker;

  beforeEach(async () => {
    redis = await startRedis();
    h = await openEngine({ BGJOBS_REDIS_URL: redis.url.href });
    worker = await startWorker(redis, { name: 'box-1', labels: ['gpu'] });
  });

  afterEach(() => stopRemote({ close: () => h.close(), worker, redis }));

  it('runs on the worker; status, output, search and wait work as for a local job', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'echo "hi from $(hostname)"; echo warn >&2; exit 4', on: 'gpu' },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 4 });
    const status = await h.engine.status({ job_id });
    expect(status).toMatchObject({ on: 'gpu', kind: 'shell', exit_code: 4 });
    expect(status.worker?.name).toBe('box-1');
    const output = await h.engine.output({ job_id });
    expect(output.stdout).toMatch(/^hi from .+\n$/);
    expect(output.stderr).toBe('warn\n');
    const found = await h.engine.search({ job_id, pattern: 'hi from' });
    expect(found.matches.length).toBe(1);
  });

  it('interacts with a remote python3 -i and kills a remote job', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'python3 -i', on: 'gpu' },
      { caller: h.caller },
    );
    const answer = await h.engine.interact(
      { job_id, input: 'print(6 * 7)', expect: '42', timeout_s: 30 },
      { caller: h.caller },
    );
    expect(answer.stdout).toContain('42');
    const sleeper = await h.engine.execute(
      { command: 'sleep 1000', on: 'gpu' },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.status({ job_id: sleeper.job_id })).worker,
      20_000,
      'a worker',
    );
    const killed = await h.engine.kill({ job_id: sleeper.job_id, grace_s: 1 });
    expect(killed.status).toBe('killed');
    await h.engine.interact({ job_id, close_stdin: true, timeout_s: 0 }, { caller: h.caller });
    const waited = await h.engine.wait({ job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0 });
  });

  it('follows a remote job across an engine restart to its exact end', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'for i in 1 2 3 4 5; do echo $i; sleep 0.3; done; exit 6', on: 'gpu' },
      { caller: h.caller },
    );
    const engine = await h.reopen();
    const waited = await engine.wait({ job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 6 });
    expect((await engine.output({ job_id })).stdout).toBe('1\n2\n3\n4\n5\n');
  });
});

describe('on without Redis', () => {
  it('is refused with a message that says what to set', async () => {
    const h = await openEngine();
    try {
      await expect(
        h.engine.execute({ command: 'true', on: 'gpu' }, { caller: h.caller }),
      ).rejects.toThrow(/BGJOBS_REDIS_URL/);
    } finally {
      await h.close();
    }
  });
});
