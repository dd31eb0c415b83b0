// Proves: a job started with the name of a running job returns that job (existing: true)
// instead of starting twice, and `replace` stops it first; once a named job ended its name is
// free again; restart policies follow pm2's rules — on-failure restarts a failing command with
// a visible boundary between runs until max_restarts and then says so, listed exit codes mean
// done, `always` restarts a clean exit, kill stops a service between runs, and a service keeps
// its restart appointment across an engine restart.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

describe('named services', () => {
  it('returns the running job of that name, or replaces it', async () => {
    const first = await h.engine.execute(
      { command: 'sleep 1000', name: 'web' },
      { caller: h.caller },
    );
    const again = await h.engine.execute(
      { command: 'sleep 1000', name: 'web' },
      { caller: h.caller },
    );
    expect(again).toMatchObject({ job_id: first.job_id, existing: true, status: 'running' });
    const replaced = await h.engine.execute(
      { command: 'sleep 1000', name: 'web', replace: true },
      { caller: h.caller },
    );
    expect(replaced.job_id).not.toBe(first.job_id);
    expect(replaced).toMatchObject({ existing: false, replaced: first.job_id, status: 'running' });
    expect((await h.engine.status({ job_id: first.job_id })).status).toBe('killed');
    expect((await h.engine.status({ job_id: 'web' })).job_id).toBe(replaced.job_id);
    await h.engine.kill({ job_id: 'web', grace_s: 1 });
    const fresh = await h.engine.execute({ command: 'true', name: 'web' }, { caller: h.caller });
    expect(fresh).toMatchObject({ existing: false, replaced: null });
  });
});

describe('restart policies', () => {
  it('restarts a crash loop on failure until max_restarts, then says so', async () => {
    const job = await h.engine.execute(
      { command: 'echo attempt; exit 3', restart: { policy: 'on-failure', max_restarts: 2 } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(waited.jobs[0]?.reason).toContain('max_restarts 2');
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status.runs).toBe(3);
    const output = await h.engine.output({ job_id: job.job_id, stream: 'stdout' });
    expect(output.stdout).toMatch(
      /^attempt\n\[bgjobs\] run 1 exited with code 3; run 2 starts in 100 ms\nattempt\n\[bgjobs\] run 2 exited with code 3; run 3 starts in 150 ms\nattempt\n$/,
    );
  });

  it('does not restart for a listed exit code, nor on-failure after success', async () => {
    const done = await h.engine.execute(
      { command: 'exit 4', restart: { policy: 'always', stop_exit_codes: [4] } },
      { caller: h.caller },
    );
    const ok = await h.engine.execute(
      { command: 'true', restart: { policy: 'on-failure' } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_ids: [done.job_id, ok.job_id], timeout_s: 20 });
    expect(waited.jobs.map((j) => [j.status, j.exit_code])).toEqual([
      ['failed', 4],
      ['completed', 0],
    ]);
    expect((await h.engine.status({ job_id: done.job_id })).runs).toBe(1);
  });

  it('restarts a clean exit with always, and kill stops it between runs', async () => {
    const job = await h.engine.execute(
      { command: 'sleep 0.2', restart: { policy: 'always', min_uptime_s: 0 } },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.status({ job_id: job.job_id })).runs >= 3,
      20_000,
      'three runs',
    );
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ status: 'running', last_exit: { exit_code: 0, signal: null } });
    const killed = await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
    expect(killed.status).toBe('killed');
  });

  it('keeps the restart appointment across an engine restart', async () => {
    const job = await h.engine.execute(
      { command: 'echo run; exit 1', restart: { policy: 'on-failure', max_restarts: 1 } },
      { caller: h.caller },
    );
    await until(async () => (await h.engine.status({ job_id: job.job_id })).runs >= 1);
    const engine = await h.reopen();
    const waited = await engine.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(waited.jobs[0]?.status).toBe('failed');
    expect((await engine.status({ job_id: job.job_id })).runs).toBe(2);
    const output = await engine.output({ job_id: job.job_id, stream: 'stdout' });
    expect(output.stdout.match(/^run$/gm)).toHaveLength(2);
  });
});

describe('project scope', () => {
  it('lists the caller project by default and every project with all', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bgjobs-projects-'));
    try {
      const a = join(root, 'a');
      const b = join(root, 'b');
      for (const dir of [a, b]) mkdirSync(join(dir, '.git'), { recursive: true });
      mkdirSync(join(a, 'sub'));
      const inA = await h.engine.execute(
        { command: 'true', cwd: join(a, 'sub') },
        { caller: h.caller },
      );
      const inB = await h.engine.execute({ command: 'true', cwd: b }, { caller: h.caller });
      const fromA = await h.engine.list({}, { caller: { ...h.caller, cwd: a } });
      expect(fromA.project).toBe(a);
      expect(fromA.jobs.map((j) => j.job_id)).toEqual([inA.job_id]);
      const everything = await h.engine.list({ all: true }, { caller: { ...h.caller, cwd: a } });
      expect(everything.jobs.map((j) => j.job_id)).toEqual([inB.job_id, inA.job_id]);
      expect(everything.project).toBeNull();
      // A folder in no git work tree belongs to the client root that holds it.
      const plain = join(root, 'plain');
      mkdirSync(plain);
      const inPlain = await h.engine.execute(
        { command: 'true', cwd: plain },
        { caller: { ...h.caller, roots: [plain] } },
      );
      expect((await h.engine.status({ job_id: inPlain.job_id })).project).toBe(plain);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
