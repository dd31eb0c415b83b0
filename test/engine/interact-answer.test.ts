// Proves: without expect, interact returns once the job has read the input, answered it and
// waits for input again — python3 -i, node's REPL, sh -i, bash's read -p, python in a pty
// (and a pty job whose answer script(1) copies to the file late) — with the whole answer and returned_because "waiting_for_input"; a program that computes for
// 2 s before (or while) answering is not cut off; where the kernel cannot see the wait (poll(2)),
// the settle timer still ends it; wait until:"input" fires when a job asks a question.
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

/** Starts COMMAND and returns its id once it waits for input. */
async function started(command: string, pty = false): Promise<string> {
  const job = await h.engine.execute({ command, pty }, { caller: h.caller });
  const waited = await h.engine.wait({ job_id: job.job_id, until: 'input', timeout_s: 30 });
  expect(waited.fired).toBe('input');
  return job.job_id;
}

describe('interact returns when the job waits for input again', () => {
  it('python3 -i', async () => {
    const id = await started('python3 -i -q');
    for (const n of [6, 7, 8]) {
      const reply = await h.engine.interact({ job_id: id, input: `print(${n}*7)` });
      expect(reply).toMatchObject({ returned_because: 'waiting_for_input', stdout: `${n * 7}\n` });
      expect(reply.stderr).toBe('>>> ');
    }
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it("node's REPL", async () => {
    const id = await started('node -i');
    const reply = await h.engine.interact({ job_id: id, input: '6*7' });
    expect(reply.returned_because).toBe('waiting_for_input');
    expect(reply.stdout).toMatch(/^42\n> $/);
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it('sh -i', async () => {
    const id = await started('sh -i');
    const reply = await h.engine.interact({ job_id: id, input: 'echo $((6*7)); echo done' });
    expect(reply).toMatchObject({ returned_because: 'waiting_for_input', stdout: '42\ndone\n' });
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it('a script asking with read -p', async () => {
    const id = await started('bash test/fixtures/ask-twice.sh');
    const first = await h.engine.interact({ job_id: id, input: 'Ada' });
    expect(first).toMatchObject({ returned_because: 'waiting_for_input', stdout: 'Hello, Ada\n' });
    const second = await h.engine.interact({ job_id: id, input: '36' });
    expect(second).toMatchObject({ returned_because: 'exited', stdout: 'Ada is 36\n' });
  });

  it('python in a pty', async () => {
    const id = await started('python3 -q', true);
    const reply = await h.engine.interact({ job_id: id, input: 'print(6*7)' });
    expect(reply.returned_because).toBe('waiting_for_input');
    expect(reply.stdout).toMatch(/42\n>>> $/);
    expect(reply.screen).toMatch(/^42\n>>> █/m);
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it('in a pty, waits for the answer script(1) copies late, not only the echo', async () => {
    const id = await started('python3 test/fixtures/late-copy.py', true);
    for (const word of ['one', 'two']) {
      const reply = await h.engine.interact({ job_id: id, input: word });
      expect(reply.returned_because).toBe('waiting_for_input');
      expect(reply.stdout).toMatch(new RegExp(`answer: ${word}\r?\n$`));
    }
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it('waits for a program that computes for 2 s, quietly or after a first line', async () => {
    const id = await started('python3 -i -q');
    await h.engine.interact({ job_id: id, input: 'import time' });
    const quiet = await h.engine.interact({ job_id: id, input: 'time.sleep(2); print(6*7)' });
    expect(quiet).toMatchObject({ returned_because: 'waiting_for_input', stdout: '42\n' });
    const chatty = await h.engine.interact({
      job_id: id,
      input: 'print("thinking", flush=True); time.sleep(2); print(6*7)',
    });
    expect(chatty).toMatchObject({
      returned_because: 'waiting_for_input',
      stdout: 'thinking\n42\n',
    });
    await h.engine.kill({ job_id: id, grace_s: 1 });
  });

  it('falls back to the settle timer where the kernel cannot see the wait', async () => {
    // Blocked in poll(2), which the probe does not read: waiting_for_input stays false.
    const program = [
      'import select, sys',
      'p = select.poll(); p.register(0, select.POLLIN); print("ready", flush=True)',
      'while True: p.poll(); print(sys.stdin.readline().upper(), end="", flush=True)',
    ].join('\n');
    const job = await h.engine.execute(
      { command: `python3 -c '${program}'` },
      { caller: h.caller },
    );
    await until(
      async () => (await h.engine.output({ job_id: job.job_id })).stdout === 'ready\n',
      30_000,
      'the program to start',
    );
    const reply = await h.engine.interact({ job_id: job.job_id, input: 'shout' });
    expect(reply).toMatchObject({ returned_because: 'settled', stdout: 'SHOUT\n' });
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });
});

describe('wait until input', () => {
  it('fires when a script asks a question after a second', async () => {
    const job = await h.engine.execute(
      { command: 'sleep 1; printf "continue? [y/N] "; read answer; echo "answer=$answer"' },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, until: 'input', timeout_s: 30 });
    expect(waited).toMatchObject({ done: true, fired: 'input' });
    expect(waited.jobs[0]).toMatchObject({ status: 'running', fired: 'input' });
    // It fired at the question, not before: the question is already written.
    expect((await h.engine.output({ job_id: job.job_id })).stdout).toBe('continue? [y/N] ');
    const reply = await h.engine.interact({ job_id: job.job_id, input: 'y' });
    expect(reply).toMatchObject({ returned_because: 'exited', stdout: 'answer=y\n' });
  });

  it('reports a job that ends without asking as exited', async () => {
    const job = await h.engine.execute({ command: 'sleep 0.2' }, { caller: h.caller });
    const waited = await h.engine.wait({ job_id: job.job_id, until: 'input', timeout_s: 30 });
    expect(waited).toMatchObject({ done: true, fired: 'exited' });
  });
});
