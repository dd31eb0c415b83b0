// Proves: interact writes to a running job's stdin and returns what it printed after —
// python3 -i answers print(6*7) with 42; a read prompt without a trailing newline is visible;
// expect returns as soon as it matches; close_stdin delivers EOF; a job that reads stdin with
// none given stays running and answers status and kill.
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

describe('interact', () => {
  it('talks to python3 -i', async () => {
    const job = await h.engine.execute({ command: 'python3 -i -q' }, { caller: h.caller });
    const reply = await h.engine.interact({
      job_id: job.job_id,
      input: 'print(6*7)',
      expect: '42',
    });
    expect(reply.returned_because).toBe('expect');
    expect(reply.stdout).toContain('42');
    const settled = await h.engine.interact({ job_id: job.job_id, input: 'print("a" * 3)' });
    expect(settled.stdout).toContain('aaa');
    expect(settled.returned_because).toBe('waiting_for_input');
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it('shows a prompt without a trailing newline, then answers it', async () => {
    const job = await h.engine.execute(
      { command: 'printf "Name: "; read name; echo "Hello, $name!"' },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.output({ job_id: job.job_id })).stdout === 'Name: ',
      10_000,
      'the prompt',
    );
    const reply = await h.engine.interact({ job_id: job.job_id, input: 'Ada', expect: 'Hello' });
    expect(reply.stdout).toBe('Hello, Ada!\n');
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect(waited.jobs[0]?.status).toBe('completed');
  });

  it('closes stdin so the job reads EOF', async () => {
    const job = await h.engine.execute({ command: 'cat; echo "cat ended"' }, { caller: h.caller });
    const echoed = await h.engine.interact({
      job_id: job.job_id,
      input: 'line one',
      expect: 'line one',
    });
    expect(echoed.stdout).toBe('line one\n');
    const closed = await h.engine.interact({
      job_id: job.job_id,
      close_stdin: true,
      expect: 'cat ended',
    });
    expect(closed.stdout).toContain('cat ended');
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect(waited.jobs[0]?.status).toBe('completed');
  });

  it('records the real exit status when closing stdin ends the job at once', async () => {
    // The monitor's wait is interrupted by the close signal just as the job exits: the status
    // recorded must still be the job's own (0), never 138 (128 + SIGUSR1).
    const jobs = [];
    for (let i = 0; i < 60; i++) {
      const job = await h.engine.execute({ command: 'cat' }, { caller: h.caller });
      await h.engine.interact({ job_id: job.job_id, close_stdin: true, timeout_s: 0 });
      jobs.push(job);
    }
    const waited = await h.engine.wait({ job_ids: jobs.map((j) => j.job_id), timeout_s: 20 });
    expect(waited.jobs.map((j) => [j.status, j.exit_code])).toEqual(
      jobs.map(() => ['completed', 0]),
    );
  });

  it('leaves a job that waits for input running and controllable', async () => {
    const job = await h.engine.execute({ command: 'read x; echo "got $x"' }, { caller: h.caller });
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 1 });
    expect(waited.done).toBe(false);
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ status: 'running', stdin_open: true, waiting_for_input: true });
    const reply = await h.engine.interact({ job_id: job.job_id, input: 'it', expect: 'got' });
    expect(reply.stdout).toBe('got it\n');
    const busy = await h.engine.execute({ command: 'sleep 100' }, { caller: h.caller });
    expect((await h.engine.status({ job_id: busy.job_id })).waiting_for_input).toBe(false);
    await h.engine.kill({ job_id: busy.job_id, grace_s: 1 });
  });

  it('rejects a bad expect regex clearly', async () => {
    const job = await h.engine.execute({ command: 'cat' }, { caller: h.caller });
    await expect(
      h.engine.interact({ job_id: job.job_id, input: 'x', expect: '(' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });
});
