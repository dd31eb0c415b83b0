// Proves: output reads are bounded, carry byte offsets to page and resume, and can return only
// what is new since this reader's last read (per reader); invalid UTF-8 and ANSI colours read
// cleanly while raw output stays available; tail gives the last lines; search finds lines
// with context and moves no reader's position.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

async function finished(command: string) {
  const job = await h.engine.execute({ command }, { caller: h.caller });
  await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
  return job.job_id;
}

describe('reading output', () => {
  it('pages through output with offsets', async () => {
    const id = await finished('seq 1 1000');
    const first = await h.engine.output({ job_id: id, stream: 'stdout', max_bytes: 100 });
    expect(first.stdout.length).toBeLessThanOrEqual(100);
    expect(first.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(first.stdout_read).toMatchObject({ start: 0, more: true, dropped: 0 });
    let text = first.stdout;
    let offset = first.stdout_read!.next_offset;
    for (;;) {
      const page = await h.engine.output({
        job_id: id,
        stream: 'stdout',
        stdout_offset: offset,
        max_bytes: 1000,
      });
      text += page.stdout;
      offset = page.stdout_read!.next_offset;
      if (!page.more) break;
    }
    expect(text).toBe(Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join(''));
  });

  it('returns only what is new since the same reader last read', async () => {
    const job = await h.engine.execute(
      { command: 'echo one; read x; echo two' },
      { caller: h.caller },
    );
    const a = { caller: { ...h.caller, reader: 'agent-a' } };
    const b = { caller: { ...h.caller, reader: 'agent-b' } };
    await h.engine.interact({ job_id: job.job_id, timeout_s: 5, settle_ms: 100 });
    expect((await h.engine.output({ job_id: job.job_id, new_only: true }, a)).stdout).toBe('one\n');
    expect((await h.engine.output({ job_id: job.job_id, new_only: true }, a)).stdout).toBe('');
    await h.engine.interact({ job_id: job.job_id, input: 'go', expect: 'two' });
    await h.engine.wait({ job_id: job.job_id, timeout_s: 10 });
    expect((await h.engine.output({ job_id: job.job_id, new_only: true }, a)).stdout).toBe('two\n');
    // Another reader has its own position.
    expect((await h.engine.output({ job_id: job.job_id, new_only: true }, b)).stdout).toBe(
      'one\ntwo\n',
    );
  });

  it('reads invalid UTF-8 and ANSI colours cleanly, and raw on request', async () => {
    const id = await finished(
      "printf 'ok \\377\\376 end\\n\\033[31mred\\033[0m\\n10%%\\r50%%\\r100%%\\n'",
    );
    const clean = await h.engine.output({ job_id: id });
    expect(clean.stdout).toBe('ok \uFFFD\uFFFD end\nred\n100%\n');
    const raw = await h.engine.output({ job_id: id, raw: true });
    expect(raw.stdout).toContain('\u001b[31mred');
    expect(raw.stdout).toContain('10%\r50%\r100%');
  });

  it('tails the last lines of each stream', async () => {
    const id = await finished('seq 1 500; echo e1 >&2; echo e2 >&2; printf "no newline"');
    const tail = await h.engine.tail({ job_id: id, lines: 3 });
    expect(tail.stdout).toBe('499\n500\nno newline');
    expect(tail.stderr).toBe('e1\ne2\n');
  });

  it('searches with context without moving any read position', async () => {
    const id = await finished('seq 1 100');
    const reader = { caller: { ...h.caller, reader: 'r' } };
    const before = await h.engine.output({ job_id: id, new_only: true, max_bytes: 10 }, reader);
    const found = await h.engine.search({ job_id: id, pattern: '^5[05]$', context: 1 });
    expect(found.matches.map((m) => [m.line, m.text, m.before, m.after])).toEqual([
      [50, '50', ['49'], ['51']],
      [55, '55', ['54'], ['56']],
    ]);
    const after = await h.engine.output({ job_id: id, new_only: true, max_bytes: 10 }, reader);
    expect(after.stdout_read!.start).toBe(before.stdout_read!.next_offset);
    await expect(h.engine.search({ job_id: id, pattern: '(' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
