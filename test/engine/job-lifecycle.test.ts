// Proves: execute returns at once with a running job and its pid; exit codes, failures and
// signal deaths are recorded as such; a job whose background child keeps running is reported
// ended promptly; jobs get the documented environment, the caller's env and cwd, and overrides.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

async function runToEnd(command: string, extra: Record<string, unknown> = {}) {
  const started = await h.engine.execute({ command, ...extra }, { caller: h.caller });
  const waited = await h.engine.wait({ job_id: started.job_id, timeout_s: 20 });
  expect(waited.done).toBe(true);
  const output = await h.engine.output({ job_id: started.job_id });
  return {
    started,
    job: waited.jobs[0]!,
    output,
    status: await h.engine.status({ job_id: started.job_id }),
  };
}

describe('job lifecycle', () => {
  it('returns at once with a running job, then records completion and output', async () => {
    const started = await h.engine.execute(
      { command: 'sleep 1; echo hello' },
      { caller: h.caller },
    );
    expect(started.status).toBe('running');
    expect(started.pid).toBeGreaterThan(1);
    const waited = await h.engine.wait({ job_id: started.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0, signal: null });
    const output = await h.engine.output({ job_id: started.job_id });
    expect(output.stdout).toBe('hello\n');
  });

  it('records a non-zero exit as failed with its code and both streams', async () => {
    const { job, output } = await runToEnd("sh -c 'sleep 0.2; echo done; echo oops >&2; exit 7'");
    expect(job).toMatchObject({ status: 'failed', exit_code: 7, signal: null });
    expect(job.reason).toContain('7');
    expect(output.stdout).toBe('done\n');
    expect(output.stderr).toBe('oops\n');
  });

  it('reports a job that dies of SIGKILL with that signal', async () => {
    const { job } = await runToEnd('kill -9 $$');
    expect(job).toMatchObject({ status: 'failed', signal: 'SIGKILL', exit_code: null });
  });

  it('reports a command that does not exist as failed with 127 and the shell message', async () => {
    const { job, output } = await runToEnd('definitely-not-a-command-xyz');
    expect(job).toMatchObject({ status: 'failed', exit_code: 127 });
    expect(output.stderr).toContain('not found');
  });

  it('ends a job promptly when only its background child keeps running', async () => {
    // runToEnd waits 20 s at most: the job ends without its child, which sleeps far longer.
    const { job, output, status } = await runToEnd('sleep 1000 >/dev/null & echo hi');
    expect(job.status).toBe('completed');
    expect(output.stdout).toBe('hi\n');
    // The leftover sleep is still the job's; kill on the ended job stops it.
    const killed = await h.engine.kill({ job_id: status.job_id });
    expect(killed.already_ended).toBe(true);
  });

  it('gives jobs the documented environment, the caller env, cwd and overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgjobs-cwd-'));
    try {
      const caller = {
        ...h.caller,
        cwd: dir,
        env: { ...h.caller.env, FROM_CALLER: 'yes', TERM: 'xterm-256color' },
      };
      const started = await h.engine.execute(
        {
          command: 'pwd; echo "$FROM_CALLER $PYTHONUNBUFFERED $PAGER $GIT_PAGER $TERM $EXTRA"',
          env: { EXTRA: 'x1', PAGER: 'less' },
        },
        { caller },
      );
      await h.engine.wait({ job_id: started.job_id, timeout_s: 20 });
      const output = await h.engine.output({ job_id: started.job_id });
      expect(output.stdout).toBe(`${dir}\nyes 1 less cat dumb x1\n`);
      const status = await h.engine.status({ job_id: started.job_id });
      expect(status.env).toEqual({ EXTRA: 'x1', PAGER: 'less' });
      expect(status.cwd).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves a relative cwd against the caller and finds jobs by name', async () => {
    const { started, status } = await runToEnd('pwd', { cwd: 'test', name: 'where-am-i' });
    expect(status.cwd).toBe(join(process.cwd(), 'test'));
    const byName = await h.engine.status({ job_id: 'where-am-i' });
    expect(byName.job_id).toBe(started.job_id);
  });

  it('lists jobs newest first with a status filter', async () => {
    const a = await runToEnd('true');
    const b = await runToEnd('false');
    const all = await h.engine.list({});
    expect(all.jobs.map((j) => j.job_id)).toEqual([b.started.job_id, a.started.job_id]);
    const failed = await h.engine.list({ status: 'failed' });
    expect(failed.jobs.map((j) => j.job_id)).toEqual([b.started.job_id]);
    expect(failed.total).toBe(1);
  });

  it('removes a finished job and its logs, and refuses a running one without force', async () => {
    const done = await runToEnd('echo bye');
    const removed = await h.engine.remove({ job_id: done.started.job_id });
    expect(removed.removed).toBe(true);
    await expect(h.engine.status({ job_id: done.started.job_id })).rejects.toMatchObject({
      code: 'not_found',
    });
    const running = await h.engine.execute({ command: 'sleep 100' }, { caller: h.caller });
    await expect(h.engine.remove({ job_id: running.job_id })).rejects.toMatchObject({
      code: 'still_running',
    });
    const forced = await h.engine.remove({ job_id: running.job_id, force: true });
    expect(forced.removed).toBe(true);
  });

  it('ends a job at its timeout as timed_out', async () => {
    const started = await h.engine.execute(
      { command: 'sleep 100', timeout_s: 1 },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: started.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'timed_out', signal: 'SIGTERM' });
  });
});
