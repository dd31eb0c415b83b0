// Proves: `run` prints a job id at once; the job inherits the CLI's cwd and environment plus
// --env; `wait` (and `run --wait`) exit with the job's own exit code, 128+n for a death by
// signal n, and 124 when --timeout runs out while the job keeps running; `wait` on several jobs
// exits 0 only when all completed, and `--any` returns while others still run; `kill` stops a
// job and `rm` removes it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { JOB_ID_PATTERN } from '../../src/api/job.js';
import { cli, makeHome, runJob, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

describe('bgjobs run and wait', () => {
  it('prints the id, and wait exits with the job exit code', async () => {
    const id = await runJob(home, ['exit 3']);
    expect(id).toMatch(JOB_ID_PATTERN);

    const waited = await cli(home, ['wait', id]);
    expect(waited.code).toBe(3);
    expect(waited.stdout).toContain(id);
    expect(waited.stdout).toContain('failed');
  });

  it('run --wait exits with the exit code, after saying the id', async () => {
    const ok = await cli(home, ['run', '--wait', 'true']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toMatch(/^bgjobs: started [a-z0-9]{8}\n/);

    // After --, options belong to the command (`-c` here), not to bgjobs.
    const failed = await cli(home, ['run', '--wait', '--', 'sh', '-c', '"exit 7"']);
    expect(failed.code).toBe(7);
  });

  it('reports a death by signal as 128 + its number', async () => {
    const id = await runJob(home, ['kill -KILL $$']);
    const waited = await cli(home, ['wait', id, '--json']);
    expect(waited.code).toBe(128 + 9);
    const result = JSON.parse(waited.stdout) as { done: boolean; jobs: { signal: string }[] };
    expect(result.done).toBe(true);
    expect(result.jobs[0]?.signal).toBe('SIGKILL');
  });

  it('exits 124 when --timeout runs out, and the job keeps running', async () => {
    const id = await runJob(home, ['sleep', '300']);
    const waited = await cli(home, ['wait', id, '--timeout', '0.5']);
    expect(waited.code).toBe(124);
    expect(waited.stderr).toMatch(/^bgjobs: timed out/m);

    const status = await cli(home, ['status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ job_id: id, status: 'running' });

    const killed = await cli(home, ['kill', id, '--grace', '1']);
    expect(killed.code).toBe(0);
    const after = await cli(home, ['wait', id, '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ done: true, jobs: [{ status: 'killed' }] });
  });

  it('waits for several jobs: 0 only when every one completed', async () => {
    const good = await runJob(home, ['true']);
    const alsoGood = await runJob(home, ['echo', 'hi']);
    expect((await cli(home, ['wait', good, alsoGood])).code).toBe(0);

    const bad = await runJob(home, ['exit 2']);
    expect((await cli(home, ['wait', good, bad])).code).toBe(1);
  });

  it('wait --any returns when one job ends, with that job exit code', async () => {
    const slow = await runJob(home, ['sleep 300']);
    const fast = await runJob(home, ['exit 6']);
    const waited = await cli(home, ['wait', '--any', slow, fast, '--json']);
    expect(waited.code).toBe(1);
    const result = JSON.parse(waited.stdout) as { done: boolean; jobs: { status: string }[] };
    expect(result.done).toBe(true);
    expect(result.jobs.map((job) => job.status)).toEqual(['running', 'failed']);
  });

  it('runs in the caller cwd, with its environment and --env on top', async () => {
    const here = join(home, 'work dir');
    mkdirSync(here);
    const id = await cli(
      home,
      ['run', '--env', 'EXTRA=two words', 'echo "$PWD|$FROM_CALLER|$EXTRA"'],
      {
        cwd: here,
        env: { FROM_CALLER: 'inherited' },
      },
    );
    expect(id.code).toBe(0);
    const jobId = id.stdout.trim();
    expect((await cli(home, ['wait', jobId])).code).toBe(0);

    const logs = await cli(home, ['logs', jobId]);
    expect(logs.stdout).toBe(`${here}|inherited|two words\n`);
  });

  it('rm removes an ended job, which is then unknown', async () => {
    const id = await runJob(home, ['true']);
    expect((await cli(home, ['wait', id])).code).toBe(0);
    const removed = await cli(home, ['rm', id, '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ job_id: id, removed: true });

    const status = await cli(home, ['status', id]);
    expect(status.code).toBe(1);
  });
});
