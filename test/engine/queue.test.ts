// Proves: with BGJOBS_MAX_JOBS=2 a third job waits as queued (with its position) and starts
// when a slot frees; a full queue (BGJOBS_MAX_QUEUE) refuses new jobs with a clear error; a
// queued job whose working directory vanished fails with a reason that says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('queue', () => {
  it('queues past the limit and starts the next job when a slot frees', async () => {
    h = await openEngine({ BGJOBS_MAX_JOBS: '2' });
    const { engine, caller } = h;
    const first = await engine.execute({ command: 'sleep 1000' }, { caller });
    const second = await engine.execute({ command: 'sleep 1000' }, { caller });
    const third = await engine.execute({ command: 'echo third' }, { caller });
    expect([first.status, second.status, third.status]).toEqual(['running', 'running', 'queued']);
    expect(third.queue_position).toBe(1);
    expect((await engine.status({ job_id: third.job_id })).status).toBe('queued');
    await engine.kill({ job_id: first.job_id, grace_s: 1 });
    const waited = await engine.wait({ job_id: third.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('completed');
    expect((await engine.output({ job_id: third.job_id })).stdout).toBe('third\n');
    await engine.kill({ job_id: second.job_id, grace_s: 1 });
  });

  it('refuses new jobs when the queue is full', async () => {
    h = await openEngine({ BGJOBS_MAX_JOBS: '1', BGJOBS_MAX_QUEUE: '1' });
    const { engine, caller } = h;
    const running = await engine.execute({ command: 'sleep 1000' }, { caller });
    await engine.execute({ command: 'true' }, { caller });
    await expect(engine.execute({ command: 'true' }, { caller })).rejects.toMatchObject({
      code: 'limit_reached',
      message: expect.stringContaining('queue is full') as unknown,
    });
    await engine.kill({ job_id: running.job_id, grace_s: 1 });
  });

  it('fails a queued job clearly when its working directory is gone by the time it starts', async () => {
    h = await openEngine({ BGJOBS_MAX_JOBS: '1' });
    const { engine, caller } = h;
    const dir = mkdtempSync(join(tmpdir(), 'bgjobs-gone-'));
    const blocker = await engine.execute({ command: 'sleep 1000' }, { caller });
    const queued = await engine.execute({ command: 'pwd', cwd: dir }, { caller });
    rmSync(dir, { recursive: true });
    await engine.kill({ job_id: blocker.job_id, grace_s: 1 });
    const waited = await engine.wait({ job_id: queued.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('failed');
    expect(waited.jobs[0]?.reason).toContain('no longer exists');
  });
});
