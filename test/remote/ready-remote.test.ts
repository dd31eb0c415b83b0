// Proves, through the engine and a real worker process: readiness by port and by URL of a job
// with `on` is judged by its worker on the worker's host and reported back (the match names the
// worker), `wait until: "ready"` returns on it, and it is not ready before the port listens;
// readiness by pattern still works on the mirrored output.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { startWorker, stopRemote, type TestWorker } from './harness.js';
import { freePort, startRedis, type TestRedis } from './redis-server.js';

describe('readiness of remote jobs', () => {
  let redis: TestRedis;
  let h: EngineHarness;
  let worker: TestWorker;

  beforeEach(async () => {
    redis = await startRedis();
    h = await openEngine({ BGJOBS_REDIS_URL: redis.url.href });
    worker = await startWorker(redis, { name: 'box-1', labels: ['web'] });
  });

  afterEach(() => stopRemote({ close: () => h.close(), worker, redis }));

  // The server listens only once the file `go` exists in its cwd, so the test decides when.
  const server = (port: number) =>
    `while [ ! -e go ]; do sleep 0.05; done; echo listening; exec python3 -m http.server ${port} --bind 127.0.0.1`;

  it('is ready once the worker sees its port listen, and by URL once it answers 2xx', async () => {
    const port = await freePort();
    const cwd = worker.home.home;
    const byPort = await h.engine.execute(
      { command: server(port), on: 'web', cwd, ready: { port } },
      { caller: h.caller },
    );
    const early = await h.engine.wait({ job_id: byPort.job_id, until: 'ready', timeout_s: 1 });
    expect(early.jobs[0]?.ready).toBe(false);
    expect((await h.engine.status({ job_id: byPort.job_id })).ready_state).toBe('pending');

    await h.engine.execute({ command: `touch ${cwd}/go`, on: 'web', cwd }, { caller: h.caller });
    const ready = await h.engine.wait({ job_id: byPort.job_id, until: 'ready', timeout_s: 30 });
    expect(ready.jobs[0]).toMatchObject({ status: 'running', ready: true, fired: 'ready' });
    const status = await h.engine.status({ job_id: byPort.job_id });
    expect(status.ready_state).toBe('ready');
    expect(status.ready_match).toMatch(/^port \d+ accepts connections on .+ \(worker box-1\)$/);

    const byUrl = await h.engine.execute(
      { command: 'sleep 600', on: 'web', ready: { url: `http://127.0.0.1:${port}/` } },
      { caller: h.caller },
    );
    await h.engine.wait({ job_id: byUrl.job_id, until: 'ready', timeout_s: 30 });
    expect((await h.engine.status({ job_id: byUrl.job_id })).ready_match).toBe(
      `http://127.0.0.1:${port}/ answered 2xx on ${status.worker?.host} (worker box-1)`,
    );
    for (const job_id of [byPort.job_id, byUrl.job_id]) {
      expect((await h.engine.kill({ job_id, grace_s: 1 })).status).toBe('killed');
    }
  });

  it('is ready by pattern on the mirrored output', async () => {
    const { job_id } = await h.engine.execute(
      {
        command: 'echo booting; sleep 0.5; echo "up on 8080"; sleep 600',
        on: 'web',
        ready: { pattern: 'up on \\d+' },
      },
      { caller: h.caller },
    );
    const ready = await h.engine.wait({ job_id, until: 'ready', timeout_s: 30 });
    expect(ready.jobs[0]).toMatchObject({ ready: true, match: 'up on 8080' });
    await h.engine.kill({ job_id, grace_s: 1 });
  });
});
