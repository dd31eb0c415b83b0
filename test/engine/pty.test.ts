// Proves, through the engine: a pty job runs in a terminal of the asked size — python3 without
// -i shows its >>> prompt and answers; ctrl-c by name interrupts a running loop, and a job
// whose program handled ctrl-c and later exits normally (or at ctrl-d) completes (its shell
// is not interrupted); ctrl-c that ends the program ends the job as SIGINT, with the rest of its
// command line not run; `waiting_for_input` is true while the job's program waits on its
// terminal (a shell's read, python's prompt, node's REPL) and false while it is busy or
// waits on something else; a curses
// program's screen is readable as text (tail and interact return it), and named arrow keys
// reach it; non-pty jobs have no screen.
import { readFileSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { membersOf } from '../../src/procfs/job-processes.js';

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
    const waiting = async () => (await h.engine.status({ job_id: job.job_id })).waiting_for_input;
    // At its prompt python waits on the terminal alone; busy in a loop, it does not.
    await until(waiting, 15_000, 'waiting_for_input at the prompt');
    await h.engine.interact({ job_id: job.job_id, input: 'while True: pass', timeout_s: 0 });
    await h.engine.interact({ job_id: job.job_id, input: '', timeout_s: 0 });
    await until(async () => !(await waiting()), 15_000, 'not waiting while busy');
    const interrupted = await h.engine.interact({
      job_id: job.job_id,
      keys: ['ctrl-c'],
      newline: false,
      expect: 'KeyboardInterrupt',
    });
    expect(interrupted.returned_because).toBe('expect');
    expect(interrupted.status).toBe('running');
    await until(waiting, 15_000, 'waiting_for_input at the prompt again');
    // ctrl-c went to python, which handled it: exiting normally later is a normal exit, as in a
    // terminal (the job's shell is not interrupted along with it).
    await h.engine.interact({ job_id: job.job_id, input: 'raise SystemExit(0)', timeout_s: 0 });
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0, signal: null });
  });

  it('ends a pty job interrupted by ctrl-c as interrupted, and a list with it', async () => {
    const job = await h.engine.execute(
      { command: 'sleep 30; echo after', pty: true },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.status({ job_id: job.job_id })).status === 'running',
      15_000,
      'the job to run',
    );
    // Until sleep is the terminal's foreground program, ctrl-c might reach only the shell.
    await until(
      () => membersOf(h.engine.store.get(job.job_id)!).length >= 2,
      15_000,
      'sleep to start',
    );
    expect((await h.engine.status({ job_id: job.job_id })).waiting_for_input).toBe(false);
    await h.engine.interact({ job_id: job.job_id, keys: ['ctrl-c'], newline: false, timeout_s: 0 });
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', signal: 'SIGINT' });
    expect((await h.engine.output({ job_id: job.job_id })).stdout).not.toContain('after');
  });

  it('ends a job as its program ends after ctrl-c then ctrl-d: completed when it exits 0', async () => {
    // A prompt that handles ctrl-c and exits 0 at EOF, as python 3.13's REPL does. (Python
    // 3.8-3.12's REPL instead ends itself by SIGINT at EOF when its last command was
    // interrupted, in a terminal too: bgjobs then reports that, as the shell's $? would.)
    const program = [
      'while True:',
      '  try: input("> ")',
      '  except KeyboardInterrupt: print("interrupted")',
      '  except EOFError: raise SystemExit(0)',
    ].join('\n');
    const job = await h.engine.execute(
      { command: `python3 -c '${program}'`, pty: true },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, until: 'input', timeout_s: 30 });
    expect(waited.fired).toBe('input');
    const keys = { job_id: job.job_id, newline: false };
    await h.engine.interact({ ...keys, keys: ['ctrl-c'], expect: 'interrupted' });
    await h.engine.interact({ ...keys, keys: ['ctrl-d'], timeout_s: 0 });
    const ended = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(ended.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0, signal: null });
  });

  it("says a shell's read waits for input, and not once it has its line", async () => {
    const job = await h.engine.execute(
      { command: 'read line; echo "got $line"; sleep 30', pty: true },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.status({ job_id: job.job_id })).waiting_for_input,
      15_000,
      'waiting_for_input',
    );
    await h.engine.interact({ job_id: job.job_id, input: 'hello', expect: 'got hello' });
    expect((await h.engine.status({ job_id: job.job_id })).waiting_for_input).toBe(false);
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it("says node's REPL waits for input (it watches its terminal with epoll), and a timer loop does not", async () => {
    const repl = await h.engine.execute({ command: 'node -i', pty: true }, { caller: h.caller });
    const timer = await h.engine.execute(
      { command: `node -e 'setInterval(() => {}, 1000)'`, pty: true },
      { caller: h.caller },
    );
    const waiting = async (id: string) => (await h.engine.status({ job_id: id })).waiting_for_input;
    await until(() => waiting(repl.job_id), 15_000, "the REPL's waiting_for_input");
    // The timer loop idles in epoll_wait too, but watches no terminal.
    const timerJob = h.engine.store.get(timer.job_id)!;
    await until(
      () =>
        membersOf(timerJob).some(
          (pid) => readFileSync(`/proc/${pid}/wchan`, 'latin1') === 'do_epoll_wait',
        ),
      15_000,
      'the timer loop to idle in epoll_wait',
    );
    expect(await waiting(timer.job_id)).toBe(false);
    const answer = await h.engine.interact({ job_id: repl.job_id, input: '6*7', expect: '42' });
    expect(answer.returned_because).toBe('expect');
    await h.engine.kill({ job_id: repl.job_id, grace_s: 1 });
    await h.engine.kill({ job_id: timer.job_id, grace_s: 1 });
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
