// Proves, for a 2025-era and a 2026-07-28-era client alike: execute returns at once with a job id;
// wait returns the outcome; output, tail, search, status and list return structuredContent that is
// exactly their output schema and text a model can read; output with new_only returns only what
// is new; interact writes to stdin and returns what followed; kill stops a job and remove deletes it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  interactOutputSchema,
  killOutputSchema,
  removeOutputSchema,
  waitOutputSchema,
} from '../../src/api/control.js';
import { listOutputSchema, statusOutputSchema } from '../../src/api/listing.js';
import { outputOutputSchema, searchOutputSchema, tailOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { ERAS, type Harness, openHarness } from './harness.js';

describe.each(ERAS)('a %s client', (era) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(era);
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs execute → wait → output → tail → search → status → list → remove', async () => {
    const command = "printf 'hello\\nworld\\n'; printf 'oops\\n' >&2; exit 3";
    const started = await h.ok('execute', { command, name: 'greeter' }, executeOutputSchema);
    const id = started.data.job_id;
    expect(id).toMatch(/^[a-z0-9]{8}$/);
    expect(started.data.name).toBe('greeter');
    expect(started.text).toContain(`job_id "${id}"`);

    const waited = await h.ok('wait', { job_id: id, timeout_s: 30 }, waitOutputSchema);
    expect(waited.data.done).toBe(true);
    expect(waited.data.jobs).toMatchObject([{ job_id: id, status: 'failed', exit_code: 3 }]);
    expect(waited.text).toMatch(/^Done after/);
    expect(waited.text).toContain('failed');

    const output = await h.ok('output', { job_id: id }, outputOutputSchema);
    expect(output.data).toMatchObject({ stdout: 'hello\nworld\n', stderr: 'oops\n', more: false });
    expect(output.data.stdout_read).toMatchObject({
      start: 0,
      next_offset: 12,
      size: 12,
      more: false,
    });
    expect(output.text).toContain('--- stdout ---\nhello\nworld');
    expect(output.text).toContain('--- stderr ---\noops');

    const tail = await h.ok(
      'tail',
      { job_id: 'greeter', lines: 1, stream: 'stdout' },
      tailOutputSchema,
    );
    expect(tail.data.stdout).toMatch(/^world\n?$/);
    expect(tail.text).toContain('world');
    expect(tail.text).not.toContain('hello');

    const search = await h.ok(
      'search',
      { job_id: id, pattern: 'WOR', ignore_case: true },
      searchOutputSchema,
    );
    expect(search.data.matches).toMatchObject([
      { stream: 'stdout', line: 2, offset: 6, text: 'world' },
    ]);
    expect(search.text).toContain('stdout:2: world');

    const status = await h.ok('status', { job_id: id }, statusOutputSchema);
    expect(status.data).toMatchObject({ job_id: id, status: 'failed', exit_code: 3, command });
    expect(status.text).toContain(`Job ${id} ("greeter"): failed (exited with code 3)`);

    const list = await h.ok('list', {}, listOutputSchema);
    expect(list.data.jobs.map((j) => j.job_id)).toContain(id);
    expect(list.text).toContain(id);

    const removed = await h.ok(
      'remove',
      { job_id: id },
      removeOutputSchema.omit({ message: true }),
    );
    expect(removed.data.removed).toBe(true);
    expect(await h.fails('status', { job_id: id })).toContain(id);
  });

  it('output with new_only returns only what is new', async () => {
    const go = join(h.home, 'go');
    // The job waits (polling inside the job) for the test to create the file `go`.
    const command = `echo one; while [ ! -e '${go}' ]; do sleep 0.05; done; echo two`;
    const { data: job } = await h.ok('execute', { command }, executeOutputSchema);

    const first = await readUntil(h, job.job_id, (stdout) => stdout.includes('one'));
    expect(first).toBe('one\n');
    const nothing = await h.ok(
      'output',
      { job_id: job.job_id, new_only: true },
      outputOutputSchema,
    );
    expect(nothing.data.stdout).toBe('');
    expect(nothing.text).toContain('stdout: nothing new');

    writeFileSync(go, '');
    await h.ok('wait', { job_id: job.job_id, timeout_s: 30 }, waitOutputSchema);
    const rest = await h.ok('output', { job_id: job.job_id, new_only: true }, outputOutputSchema);
    expect(rest.data.stdout).toBe('two\n');
  });

  it('interact answers a prompt and returns what the job wrote after it', async () => {
    const command = `printf 'Name: '; read name; echo "Hello, $name"; read never`;
    const { data: job } = await h.ok('execute', { command }, executeOutputSchema);
    await readUntil(h, job.job_id, (stdout) => stdout.includes('Name: '));

    const reply = await h.ok(
      'interact',
      { job_id: job.job_id, input: 'Ada', expect: 'Hello, \\w+', timeout_s: 20 },
      interactOutputSchema,
    );
    expect(reply.data).toMatchObject({ returned_because: 'expect', stdin_open: true });
    expect(reply.data.stdout).toContain('Hello, Ada');
    expect(reply.text).toContain('Hello, Ada');

    const killed = await h.ok(
      'kill',
      { job_id: job.job_id, grace_s: 5 },
      killOutputSchema.omit({ message: true }),
    );
    expect(killed.data).toMatchObject({ job_id: job.job_id, already_ended: false });
    const waited = await h.ok('wait', { job_id: job.job_id, timeout_s: 30 }, waitOutputSchema);
    expect(waited.data.jobs[0]?.status).toBe('killed');
  });
});

/** Polls `output` (new_only) until the stdout read so far satisfies `done`; returns it. */
async function readUntil(
  h: Harness,
  jobId: string,
  done: (stdout: string) => boolean,
): Promise<string> {
  let stdout = '';
  const deadline = Date.now() + 10_000;
  while (!done(stdout)) {
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} never wrote what was expected: ${JSON.stringify(stdout)}`);
    const { data } = await h.ok('output', { job_id: jobId, new_only: true }, outputOutputSchema);
    stdout += data.stdout;
    if (!done(stdout)) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return stdout;
}
