// Proves: the text a model reads tells what the new result fields say — execute says when it
// returned the running job of that name (and how to restart it) or replaced one; wait says a
// service became ready and on which line; status shows readiness, runs and the last exit of a
// restarted service; kill names the processes it ended; tail and interact show a pty job's
// screen rather than its raw output.
import { existsSync } from 'node:fs';

import { afterEach, expect, it } from 'vitest';

import { interactOutputSchema, killOutputSchema, waitOutputSchema } from '../../src/api/control.js';
import { statusOutputSchema } from '../../src/api/listing.js';
import { tailOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

it('execute says when it returned the running job of that name, or replaced one', async () => {
  h = await openHarness();
  const first = await h.ok('execute', { command: 'sleep 300', name: 'svc' }, executeOutputSchema);
  const again = await h.ok('execute', { command: 'sleep 300', name: 'svc' }, executeOutputSchema);
  expect(again.data).toMatchObject({ job_id: first.data.job_id, existing: true });
  expect(again.text).toContain('already running');
  expect(again.text).toContain('replace:true');

  const replaced = await h.ok(
    'execute',
    { command: 'sleep 300', name: 'svc', replace: true },
    executeOutputSchema,
  );
  expect(replaced.data.replaced).toBe(first.data.job_id);
  expect(replaced.text).toContain(`replaced job ${first.data.job_id}`);
});

it('wait says the service is ready and on which line; status shows readiness', async () => {
  h = await openHarness();
  const { data } = await h.ok(
    'execute',
    {
      command: 'echo booting; echo "listening on 8123"; sleep 300',
      ready: { pattern: 'listening on \\d+' },
    },
    executeOutputSchema,
  );
  const waited = await h.ok('wait', { job_id: data.job_id, until: 'ready' }, waitOutputSchema);
  expect(waited.data).toMatchObject({ done: true, fired: 'ready' });
  expect(waited.text).toMatch(/^Done after .* \(ready\):/);
  expect(waited.text).toContain('on "listening on 8123"');

  const status = await h.ok('status', { job_id: data.job_id }, statusOutputSchema);
  expect(status.text).toMatch(/Ready after .* \(matched "listening on 8123"\)\./);
});

it('status shows the runs and last exit of a restarted service; kill names what it ended', async () => {
  h = await openHarness();
  const { data } = await h.ok(
    'execute',
    {
      command: 'if [ -f ran ]; then sleep 300; else touch ran; exit 7; fi',
      cwd: h.home,
      restart: { policy: 'on-failure', min_uptime_s: 0 },
    },
    executeOutputSchema,
  );
  const status = await until(
    async () => {
      const read = await h.ok('status', { job_id: data.job_id }, statusOutputSchema);
      // Running again: restarted (not just scheduled to be) and with a process to kill.
      const { runs, status, pid, next_restart_at } = read.data;
      return runs === 2 && status === 'running' && pid !== null && next_restart_at === null
        ? read
        : undefined;
    },
    10_000,
    'the second run',
  );
  expect(status.text).toContain('Run 2 (restart on-failure); the last run exited with code 7.');

  const killed = await h.ok(
    'kill',
    { job_id: data.job_id, grace_s: 1 },
    killOutputSchema.omit({ message: true }),
  );
  expect(killed.data.killed_pids.length).toBeGreaterThan(0);
  expect(killed.text).toContain(`${killed.data.killed_pids.join(', ')}.`);
});

it.skipIf(!existsSync('/usr/bin/script'))(
  'tail and interact show the screen of a pty job',
  async () => {
    h = await openHarness();
    const { data } = await h.ok(
      'execute',
      { command: 'printf "top line\\n"; read x; printf "got %s\\n" "$x"; sleep 300', pty: true },
      executeOutputSchema,
    );
    await until(
      async () =>
        (await h.ok('tail', { job_id: data.job_id }, tailOutputSchema)).data.screen?.includes(
          'top line',
        ),
      10_000,
      'the screen',
    );
    const tail = await h.ok('tail', { job_id: data.job_id }, tailOutputSchema);
    expect(tail.text).toContain('Its terminal screen:\n--- screen ---\ntop line');
    expect(tail.text).not.toContain('--- stdout');

    const reply = await h.ok(
      'interact',
      { job_id: data.job_id, input: 'yes', expect: 'got yes' },
      interactOutputSchema,
    );
    expect(reply.text).toContain('--- screen ---');
    expect(reply.text).toContain('got yes');
    expect(reply.text).not.toContain('--- stdout');
  },
);

it('interact shows only the streams that answered, and says so when none did', async () => {
  h = await openHarness();
  const { data } = await h.ok(
    'execute',
    { command: 'while read x; do [ "$x" = quiet ] || echo "got $x"; done; echo bye >&2' },
    executeOutputSchema,
  );
  const reply = await h.ok(
    'interact',
    { job_id: data.job_id, input: 'one', expect: 'got one' },
    interactOutputSchema,
  );
  expect(reply.text).toContain('--- stdout ---\ngot one');
  expect(reply.text).not.toContain('stderr');

  const silent = await h.ok(
    'interact',
    { job_id: data.job_id, input: 'quiet' },
    interactOutputSchema,
  );
  expect(silent.data).toMatchObject({ stdout: '', stderr: '' });
  expect(silent.text).toMatch(/No new output\.$/);
  expect(silent.text).not.toContain('---');

  const end = await h.ok(
    'interact',
    { job_id: data.job_id, close_stdin: true },
    interactOutputSchema,
  );
  expect(end.data).toMatchObject({ status: 'completed', exit_code: 0, stderr: 'bye\n' });
  expect(end.text).toMatch(/^Job \w+ has ended: completed \(exited with code 0\)\./);
  expect(end.text).toContain('--- stderr ---\nbye');
  expect(end.text).not.toContain('stdout');
});
