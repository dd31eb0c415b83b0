// Proves, through the engine and a real worker process: `status.runs` counts a remote job's
// runs; a remote service that exits is queued again by its restart policy as a new run of the
// same job (on any worker of its label), with each run's exact exit code in `last_exit` and the
// line between runs in its output, until it gives up after `max_restarts`; its restart
// appointment survives a daemon restart and a kill between runs cancels it; a declared `port` is
// checked free on the worker's host (a run that finds it taken fails, naming the holder) and
// the ports a remote run listens on are reported in `status.ports`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { startWorker, stopRemote, type TestWorker } from './harness.js';
import { freePort, startRedis, type TestRedis } from './redis-server.js';

describe('remote services', () => {
  let redis: TestRedis;
  let h: EngineHarness;
  let worker: TestWorker;
  let dir: string;

  beforeEach(async () => {
    redis = await startRedis();
    h = await openEngine({ BGJOBS_REDIS_URL: redis.url.href });
    worker = await startWorker(redis, { name: 'svc-1', labels: ['svc'] });
    dir = mkdtempSync(join(tmpdir(), 'bgjobs-svc-'));
  });

  afterEach(async () => {
    try {
      await stopRemote({ close: () => h?.close(), worker, redis });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Counts its runs in a file of its cwd: exits 3 on the first two, then stays up.
  const flaky =
    'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "run $n"; [ $n -lt 3 ] && exit 3; exec sleep 600';

  it('counts the runs of a remote job', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'echo once', on: 'svc' },
      { caller: h.caller },
    );
    await h.engine.wait({ job_id, timeout_s: 30 });
    expect(await h.engine.status({ job_id })).toMatchObject({ status: 'completed', runs: 1 });
  });

  it('restarts a remote service that exits, by its policy, with each exit code exact', async () => {
    const { job_id } = await h.engine.execute(
      { command: flaky, on: 'svc', cwd: dir, restart: { policy: 'on-failure' } },
      { caller: h.caller },
    );
    const third = await until(
      async () => {
        const status = await h.engine.status({ job_id });
        return status.runs === 3 && status.worker !== null ? status : undefined;
      },
      30_000,
      'the third run to start',
    );
    expect(third).toMatchObject({
      status: 'running',
      restart_policy: 'on-failure',
      last_exit: { exit_code: 3, signal: null },
      worker: { name: 'svc-1' },
    });
    await until(
      async () => (await h.engine.output({ job_id })).stdout.includes('run 3\n'),
      30_000,
      'the third run’s output',
    );
    const { stdout } = await h.engine.output({ job_id });
    expect(stdout).toMatch(
      /^run 1\n\[bgjobs\] run 1 exited with code 3; run 2 starts in 100 ms\nrun 2\n\[bgjobs\] run 2 exited with code 3; run 3 starts in 150 ms\nrun 3\n$/,
    );
    expect((await h.engine.kill({ job_id, grace_s: 1 })).status).toBe('killed');
    expect(await h.engine.status({ job_id })).toMatchObject({ status: 'killed', runs: 3 });
  });

  it('gives up after max_restarts, ending failed with the last exit code', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'exit 2', on: 'svc', restart: { policy: 'always', max_restarts: 2 } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 2 });
    const status = await h.engine.status({ job_id });
    expect(status.runs).toBe(3);
    expect(status.reason).toMatch(/gave up after 2 restarts/);
  });

  it('keeps a restart appointment across a daemon restart, and a kill cancels one', async () => {
    const { job_id } = await h.engine.execute(
      { command: 'exit 1', on: 'svc', restart: { policy: 'always', max_restarts: 30 } },
      { caller: h.caller },
    );
    // The backoff grows ×1.5 from 100 ms: wait for a gap long enough to act in.
    const between = async (engine = h.engine) =>
      until(
        async () => {
          const status = await engine.status({ job_id });
          const at = status.next_restart_at === null ? 0 : Date.parse(status.next_restart_at);
          return at - Date.now() > 800 ? status : undefined;
        },
        60_000,
        'a restart appointment',
      );
    const before = await between();
    const engine = await h.reopen();
    await until(
      async () => ((await engine.status({ job_id })).runs > before.runs ? true : undefined),
      30_000,
      'the next run after the daemon restart',
    );
    const waiting = await between(engine);
    expect(waiting.status).toBe('running');
    expect((await engine.kill({ job_id, grace_s: 1 })).status).toBe('killed');
    const killed = await engine.status({ job_id });
    expect(killed.reason).toMatch(/stopped while waiting to restart/);
    expect(killed.runs).toBe(waiting.runs);
  });

  it('checks a declared port on the worker’s host and reports the ports a run listens on', async () => {
    const port = await freePort();
    const server = await h.engine.execute(
      { command: `exec python3 -m http.server ${port} --bind 127.0.0.1`, on: 'svc', port },
      { caller: h.caller },
    );
    const ports = await until(
      async () => {
        const status = await h.engine.status({ job_id: server.job_id });
        return status.ports.length > 0 ? status.ports : undefined;
      },
      30_000,
      'the worker to report the port',
    );
    expect(ports).toEqual([port]);

    const second = await h.engine.execute(
      { command: 'echo never', on: 'svc', port },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: second.job_id, timeout_s: 30 });
    expect(waited.jobs[0]?.status).toBe('failed');
    const refused = await h.engine.status({ job_id: second.job_id });
    expect(refused.reason).toMatch(
      new RegExp(`port ${port} is already in use on \\S+ by pid \\d+ \\(.*http\\.server`),
    );
    expect((await h.engine.output({ job_id: second.job_id })).stdout).toBe('');

    expect((await h.engine.kill({ job_id: server.job_id, grace_s: 1 })).status).toBe('killed');
    expect((await h.engine.status({ job_id: server.job_id })).ports).toEqual([]);
  });
});
