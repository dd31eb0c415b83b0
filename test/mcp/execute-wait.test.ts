// Proves: the goals an agent has take one call where they used to take several — execute with
// wait_s comes back with the outcome, the last lines and the lines matching `search` (or the id,
// when the job goes on); with wait_until:"ready" once a service is up; `jobs` starts several
// jobs in one call, and a bad entry starts none; `wait` answers with each ended job's last lines
// and matches, within bounds it says.
import { afterEach, expect, it } from 'vitest';

import { DIGEST_MATCHES, waitOutputSchema } from '../../src/api/control.js';
import { listOutputSchema } from '../../src/api/listing.js';
import { executeManyOutputSchema } from '../../src/api/start.js';
import { type Harness, openHarness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const SUITE = [
  'for i in $(seq 1 40); do echo "test $i ok"; done',
  'echo "FAIL test 41: expected 2, got 3"',
  'echo "FAIL test 42: timeout" >&2',
  'for i in $(seq 43 60); do echo "test $i ok"; done',
  'exit 1',
].join('; ');

it('a short command is one call: outcome, last lines and matching lines', async () => {
  h = await openHarness();
  const { text, data } = await h.ok(
    'execute',
    { command: SUITE, wait_s: 30, search: 'FAIL' },
    executeManyOutputSchema,
  );
  expect(data.status).toBe('failed');
  expect(data.pid).toBeNull();
  const job = data.wait?.jobs[0];
  expect(data.wait?.done).toBe(true);
  expect(job).toMatchObject({ job_id: data.job_id, exit_code: 1, fired: 'exited' });
  expect(job?.output?.stdout.split('\n').filter(Boolean)).toEqual(
    Array.from({ length: 10 }, (_, i) => `test ${51 + i} ok`),
  );
  expect(job?.output?.stderr).toBe('FAIL test 42: timeout\n');
  expect(job?.output?.matches).toEqual([
    { stream: 'stdout', line: 41, text: 'FAIL test 41: expected 2, got 3' },
    { stream: 'stderr', line: 1, text: 'FAIL test 42: timeout' },
  ]);
  // The text says the outcome first, then what the agent asked for.
  expect(text.split('\n')[0]).toMatch(
    new RegExp(`^${data.job_id}: failed \\(exited with code 1\\)`),
  );
  expect(text).toContain('stdout:41: FAIL test 41: expected 2, got 3');
  expect(text).toContain('stderr:1: FAIL test 42: timeout');
  expect(text).toContain('test 60 ok');
  expect(text).not.toContain('test 50 ok');
});

it('a job still running after wait_s goes on, and the result says how to wait for it', async () => {
  h = await openHarness();
  const { text, data } = await h.ok(
    'execute',
    { command: 'echo started; sleep 300', wait_s: 0.5 },
    executeManyOutputSchema,
  );
  expect(data.status).toBe('running');
  expect(data.wait).toMatchObject({ done: false, fired: 'timeout' });
  expect(data.wait?.jobs[0]?.output).toBeNull();
  expect(text).toContain('goes on');
  expect(text).toContain(`wait with job_id "${data.job_id}"`);
});

it('wait_until "ready" returns once the service is up, with the line that said so', async () => {
  h = await openHarness();
  const { text, data } = await h.ok(
    'execute',
    {
      command: 'echo booting; sleep 0.3; echo "listening on http://127.0.0.1:8123"; sleep 300',
      ready: { pattern: 'listening on (\\S+)' },
      wait_s: 30,
      wait_until: 'ready',
    },
    executeManyOutputSchema,
  );
  expect(data.status).toBe('running');
  expect(data.wait?.jobs[0]).toMatchObject({ fired: 'ready', ready: true });
  expect(data.wait?.jobs[0]?.output?.stdout).toContain('booting');
  expect(text.split('\n')[0]).toContain('ready on "listening on http://127.0.0.1:8123"');
});

it('jobs starts several in one call, fields beside jobs applying to each', async () => {
  h = await openHarness();
  const { text, data } = await h.ok(
    'execute',
    {
      jobs: [{ command: 'echo "one $SHARD"' }, { command: 'echo "two $SHARD"', name: 'two' }],
      env: { SHARD: 'x' },
      wait_s: 30,
    },
    executeManyOutputSchema,
  );
  expect(data.job_id).toBeUndefined();
  expect(data.jobs?.map((job) => job.name)).toEqual([null, 'two']);
  expect(data.wait?.jobs.map((job) => [job.status, job.output?.stdout])).toEqual([
    ['completed', 'one x\n'],
    ['completed', 'two x\n'],
  ]);
  expect(text).toContain('one x');
  expect(text).toContain('two x');

  const started = await h.ok('execute', { jobs: [{ command: 'true' }] }, executeManyOutputSchema);
  expect(started.data.wait).toBeUndefined();
  expect(started.text).toMatch(/^Started 1 job, (running|completed): \w{8}$/);
});

it('a bad entry in jobs starts none of them; unclear requests are refused', async () => {
  h = await openHarness();
  const bad = await h.fails('execute', {
    jobs: [{ command: 'sleep 300' }, { command: 'sleep 300', timeout_s: -1 }],
  });
  expect(bad).toContain('jobs[1]');
  expect(bad).toContain('timeout_s');
  const listed = await h.ok('list', {}, listOutputSchema);
  expect(listed.data.total).toBe(0);

  expect(await h.fails('execute', { command: 'true', jobs: [{ command: 'true' }] })).toContain(
    'inside each job',
  );
  expect(await h.fails('execute', {})).toContain('Pass command, or jobs');
  expect(
    await h.fails('execute', { command: 'sleep 300', wait_s: 5, wait_until: 'ready' }),
  ).toContain('needs a readiness condition');
  const plain = await h.ok('execute', { command: 'sleep 300' }, executeManyOutputSchema);
  expect(await h.fails('wait', { job_id: plain.data.job_id, until: 'ready' })).toContain(
    'no readiness condition',
  );
  expect(await h.fails('execute', { command: 'true', search: 'x' })).toContain('wait_s');
  expect(await h.fails('execute', { jobs: [{ command: 'true', nme: 'x' }] })).toContain(
    'did you mean "name"',
  );
});

it('wait brings back last lines and matches, bounded and honest about the bound', async () => {
  h = await openHarness();
  const { data } = await h.ok(
    'execute',
    { command: 'for i in $(seq 1 100); do echo "line $i"; done', wait_s: 30 },
    executeManyOutputSchema,
  );
  const id = data.job_id as string;
  const quiet = await h.ok('wait', { job_id: id, tail_lines: 0 }, waitOutputSchema);
  expect(quiet.data.jobs[0]?.output).toBeNull();
  expect(quiet.text).not.toContain('line 100');

  const three = await h.ok(
    'wait',
    { job_id: id, tail_lines: 3, search: '^line' },
    waitOutputSchema,
  );
  const output = three.data.jobs[0]?.output;
  expect(output?.stdout).toBe('line 98\nline 99\nline 100\n');
  expect(output?.matches).toHaveLength(DIGEST_MATCHES);
  expect(output?.more_matches).toBe(true);
  expect(three.text).toContain(`${DIGEST_MATCHES}+ lines match /^line/`);

  const none = await h.ok('wait', { job_id: id, search: 'nothing like this' }, waitOutputSchema);
  expect(none.data.jobs[0]?.output?.matches).toEqual([]);
  expect(none.text).toContain('no line matches');

  expect(await h.fails('wait', { job_id: id, search: '(unclosed' })).toContain(
    'regular expression',
  );
});

it('a summary stays within its budget and says where the rest is', async () => {
  h = await openHarness();
  const long = 'x'.repeat(500);
  const { text, data } = await h.ok(
    'execute',
    { command: `for i in $(seq 1 50); do echo "$i ${long}"; done`, wait_s: 30, tail_lines: 50 },
    executeManyOutputSchema,
  );
  expect(data.wait?.jobs[0]?.output?.stdout.split('\n').filter(Boolean)).toHaveLength(50);
  expect(text.length).toBeLessThan(2600);
  expect(text).toContain('output cut here');
});
