// Proves, through the engine: a pty job runs in a terminal of the asked size — python3 without
// -i shows its >>> prompt and answers; ctrl-c by name interrupts a running loop; a curses
// program's screen is readable as text (tail and interact return it), and named arrow keys
// reach it; non-pty jobs have no screen.
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

describe('pty jobs', () => {
  it('gives python3 a terminal: prompt, answers, ctrl-c', async () => {
    const job = await h.engine.execute({ command: 'python3 -q', pty: true }, { caller: h.caller });
    await until(
      async () => (await h.engine.tail({ job_id: job.job_id })).stdout.includes('>>>'),
      15_000,
      'the prompt',
    );
    const answer = await h.engine.interact({
      job_id: job.job_id,
      input: 'print(6*7)',
      expect: '^42',
    });
    expect(answer.stdout).toMatch(/^42\r?$/m);
    await h.engine.interact({ job_id: job.job_id, input: 'while True: pass', timeout_s: 0 });
    await h.engine.interact({ job_id: job.job_id, input: '', timeout_s: 0 });
    const interrupted = await h.engine.interact({
      job_id: job.job_id,
      keys: ['ctrl-c'],
      newline: false,
      expect: 'KeyboardInterrupt',
    });
    expect(interrupted.returned_because).toBe('expect');
    expect(interrupted.status).toBe('running');
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it('shows a curses program as a screen, and sends it named keys', async () => {
    const job = await h.engine.execute(
      { command: 'python3 test/fixtures/curses-keys.py', pty: { cols: 60, rows: 12 } },
      { caller: h.caller },
    );
    const drawn = await until(
      async () => {
        const tail = await h.engine.tail({ job_id: job.job_id });
        return tail.screen?.includes('last key: none') ? tail.screen : undefined;
      },
      15_000,
      'the curses screen',
    );
    expect(drawn).toContain('bgjobs curses');
    expect(drawn).toContain('size 60x12');
    // The raw output is escape soup; the screen is not.
    expect((await h.engine.tail({ job_id: job.job_id, raw: true })).stdout).toContain('\u001b[');
    expect(drawn).not.toContain('\u001b');
    const pressed = await h.engine.interact({
      job_id: job.job_id,
      keys: ['down'],
      newline: false,
      settle_ms: 300,
    });
    expect(pressed.screen).toContain('last key: KEY_DOWN');
    await h.engine.interact({ job_id: job.job_id, input: 'q', newline: false, timeout_s: 0 });
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('completed');
  });

  it('rejects unknown key names before writing anything, and has no screen without a pty', async () => {
    const job = await h.engine.execute({ command: 'cat' }, { caller: h.caller });
    await expect(
      h.engine.interact({ job_id: job.job_id, input: 'x', keys: ['hyper-z'] }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect((await h.engine.output({ job_id: job.job_id })).stdout).toBe('');
    expect((await h.engine.tail({ job_id: job.job_id })).screen).toBeNull();
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });
});
