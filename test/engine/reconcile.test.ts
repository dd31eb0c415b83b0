// Proves: jobs outlive the engine that started them. Reopened on the same home, the engine
// re-adopts a job still running (and its stdin still works), records the real exit code of
// a job that ended while no engine watched, and reports `lost` — never completed — for a job
// whose monitor was killed; only one engine can own a home at a time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Engine } from '../../src/engine/engine.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

describe('reconcile after a restart', () => {
  it('records the exit code of a job that ended while no engine watched', async () => {
    const job = await h.engine.execute(
      { command: 'sleep 1; echo done; exit 7' },
      { caller: h.caller },
    );
    await h.engine.close();
    // Let the job end while nothing watches it: its monitor writes its exit file.
    const exitFile = join(h.home, 'jobs', job.job_id, 'exit');
    await until(() => existsSync(exitFile), 20_000, 'the job to end unwatched');
    const engine = await h.reopen();
    const waited = await engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 7 });
    expect((await engine.output({ job_id: job.job_id })).stdout).toBe('done\n');
  });

  it('re-adopts a running job, whose stdin still works', async () => {
    const job = await h.engine.execute(
      { command: 'read x; echo "got $x"; exit 3' },
      { caller: h.caller },
    );
    const engine = await h.reopen();
    expect((await engine.status({ job_id: job.job_id })).status).toBe('running');
    const reply = await engine.interact({
      job_id: job.job_id,
      input: 'again',
      expect: 'got again',
    });
    expect(reply.stdout).toBe('got again\n');
    const waited = await engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 3 });
  });

  it('reports lost when the monitor was killed and the job ended unobserved', async () => {
    const job = await h.engine.execute({ command: 'sleep 1' }, { caller: h.caller });
    const record = h.engine.store.get(job.job_id)!;
    await h.engine.close();
    process.kill(record.monitorPid!, 'SIGKILL');
    const engine = await h.reopen();
    const waited = await engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect(waited.jobs[0]?.status).toBe('lost');
    expect(waited.jobs[0]?.reason).toContain('monitor');
  });

  it('lets only one engine own a home', async () => {
    await expect(Engine.open(h.config())).rejects.toMatchObject({ code: 'daemon_unavailable' });
  });

  it('keeps running jobs counted against the limit after a restart', async () => {
    const job = await h.engine.execute({ command: 'sleep 1000' }, { caller: h.caller });
    const engine = await h.reopen();
    await until(() => engine.runningCount() === 1);
    await engine.kill({ job_id: job.job_id, grace_s: 1 });
    expect(engine.runningCount()).toBe(0);
  });
});
