// Proves: among queued jobs the higher priority starts first; a job `after` others starts only
// once they completed, and fails without running when one did not; an unknown dependency is
// refused at submit; a failing job with retries is tried again with the same id, its attempts
// visible in status and separated in its output, until it succeeds or runs out of retries.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
let dir: string;
beforeEach(async () => {
  h = await openEngine({ BGJOBS_MAX_JOBS: '1' });
  dir = mkdtempSync(join(tmpdir(), 'bgjobs-sched-'));
});
afterEach(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('priority', () => {
  it('starts the higher priority first among queued jobs', async () => {
    const log = join(dir, 'order');
    const blocker = await h.engine.execute({ command: 'sleep 1000' }, { caller: h.caller });
    const low = await h.engine.execute({ command: `echo low >> ${log}` }, { caller: h.caller });
    const high = await h.engine.execute(
      { command: `echo high >> ${log}`, priority: 5 },
      { caller: h.caller },
    );
    expect(high.queue_position).toBe(1);
    expect((await h.engine.status({ job_id: low.job_id })).queue_position).toBe(2);
    await h.engine.kill({ job_id: blocker.job_id, grace_s: 1 });
    await h.engine.wait({ job_ids: [low.job_id, high.job_id], timeout_s: 20 });
    expect(readFileSync(log, 'utf8')).toBe('high\nlow\n');
  });
});

describe('after', () => {
  it('starts a job once its dependency completed', async () => {
    const first = await h.engine.execute(
      { command: 'sleep 0.3; echo first' },
      { caller: h.caller },
    );
    const second = await h.engine.execute(
      { command: 'echo second', after: [first.job_id], priority: 100 },
      { caller: h.caller },
    );
    expect(second.status).toBe('queued');
    const waited = await h.engine.wait({ job_id: second.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('completed');
    const a = await h.engine.status({ job_id: first.job_id });
    const b = await h.engine.status({ job_id: second.job_id });
    expect(Date.parse(b.started_at!)).toBeGreaterThanOrEqual(Date.parse(a.ended_at!));
  });

  it('fails a job unrun when its dependency does not complete', async () => {
    const bad = await h.engine.execute({ command: 'exit 4', name: 'build' }, { caller: h.caller });
    const next = await h.engine.execute(
      { command: 'echo deploy', after: ['build'] },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: next.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: null });
    expect(waited.jobs[0]?.reason).toContain(`dependency ${bad.job_id} did not complete (failed`);
    const status = await h.engine.status({ job_id: next.job_id });
    expect(status.pid).toBeNull();
    expect((await h.engine.output({ job_id: next.job_id })).stdout).toBe('');
  });

  it('refuses an unknown dependency at submit', async () => {
    await expect(
      h.engine.execute({ command: 'true', after: ['zzzzzzzz'] }, { caller: h.caller }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('retries', () => {
  it('tries again with the same id until it succeeds', async () => {
    const counter = join(dir, 'count');
    const job = await h.engine.execute(
      {
        command: `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "try $n"; [ $n -ge 2 ]`,
        retries: 3,
      },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ job_id: job.job_id, status: 'completed' });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ attempt: 2, retries: 3 });
    const output = await h.engine.output({ job_id: job.job_id, stream: 'stdout' });
    expect(output.stdout).toMatch(
      /^try 1\n\[bgjobs\] attempt 1 failed \(exited with code 1\); attempt 2 in 1\.0 s\ntry 2\n$/,
    );
  });

  it('gives up after the last retry', async () => {
    const job = await h.engine.execute({ command: 'exit 9', retries: 1 }, { caller: h.caller });
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 9 });
    expect((await h.engine.status({ job_id: job.job_id })).attempt).toBe(2);
  });

  it('does not retry a job killed on request', async () => {
    const job = await h.engine.execute({ command: 'sleep 1000', retries: 3 }, { caller: h.caller });
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ status: 'killed', attempt: 1 });
  });
});
