// Proves: `wait --until ready` exits 124 while a --ready-pattern has not matched, then 0 with the
// matching line once it has (and `status` shows it); a --fail-pattern ends that wait at once
// with exit 1 while the job still runs; `run --wait-ready` prints only the id on stdout and the
// match on stderr, exits 0 when ready, 1 when the job ends first, 124 on --wait-timeout;
// --fail-pattern without a readiness condition is a usage error.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { JOB_ID_PATTERN } from '../../src/api/job.js';
import { cli, makeHome, runJob, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

describe('bgjobs wait --until ready', () => {
  it('waits for the ready pattern and prints the matching line', async () => {
    const gate = join(home, 'go');
    const id = await runJob(home, [
      '--ready-pattern',
      'listening on \\d+',
      `echo starting; while [ ! -e '${gate}' ]; do sleep 0.05; done; echo listening on 4242; sleep 300`,
    ]);

    const early = await cli(home, ['wait', id, '--until', 'ready', '--timeout', '0.5']);
    expect(early.code).toBe(124);

    writeFileSync(gate, '');
    const ready = await cli(home, ['wait', id, '--until', 'ready', '--timeout', '20']);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toMatch(
      new RegExp(`^${id}\\s+-\\s+running, ready: listening on 4242$`, 'm'),
    );

    const json = await cli(home, ['wait', id, '--until', 'ready', '--json']);
    const result = waitOutputSchema.parse(JSON.parse(json.stdout));
    expect(result).toMatchObject({ done: true, fired: 'ready' });
    expect(result.jobs[0]?.match).toBe('listening on 4242');

    const status = await cli(home, ['status', id]);
    expect(status.stdout).toMatch(/^ready\s+ready after \S+: listening on 4242$/m);
  });

  it('exits 1 as soon as the failure pattern matches, while the job still runs', async () => {
    const id = await runJob(home, [
      '--ready-pattern',
      'never printed',
      '--fail-pattern',
      'EADDRINUSE',
      'echo "Error: listen EADDRINUSE :::3000"; sleep 300',
    ]);
    // Exit 1, not 124: the failure pattern ended the wait, not its 40 s timeout.
    const failed = await cli(home, ['wait', id, '--until', 'ready', '--timeout', '40']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/running, failed to come up: Error: listen EADDRINUSE :::3000$/m);

    const status = await cli(home, ['status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'running', ready_state: 'failed' });
  });
});

describe('bgjobs run --wait-ready', () => {
  it('prints the id, notes the match, and exits 0 once ready', async () => {
    const ready = await cli(home, [
      'run',
      '--ready-pattern',
      'up',
      '--wait-ready',
      'sleep 0.2; echo up and running; sleep 300',
    ]);
    expect(ready.code).toBe(0);
    expect(ready.stdout.trim()).toMatch(JOB_ID_PATTERN);
    expect(ready.stderr).toBe(`bgjobs: ${ready.stdout.trim()} is ready: up and running\n`);
  });

  it('exits 1 when the job ends before it is ready, 124 on --wait-timeout', async () => {
    const ended = await cli(home, ['run', '--ready-pattern', 'up', '--wait-ready', 'exit 0']);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('ended before it was ready');

    const slow = await cli(home, [
      'run',
      '--ready-pattern',
      'up',
      '--wait-ready',
      '--wait-timeout',
      '0.5',
      'sleep 300',
    ]);
    expect(slow.code).toBe(124);
    expect(slow.stderr).toContain('not ready after 0.5s');
  });

  it('refuses --fail-pattern without a readiness condition', async () => {
    const bad = await cli(home, ['run', '--fail-pattern', 'x', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-pattern needs --ready-pattern');
  });
});
