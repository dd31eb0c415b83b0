// Proves: `run --name x` while x runs returns the running job's id and says so on stderr, and
// `--replace` stops it and starts the new command under the name; `--restart on-failure
// --max-restarts 1` on a failing command runs it twice, then ends failed with its exit code,
// and `status` shows the runs, the last exit and the policy; restart tuning without --restart
// is a usage error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { statusOutputSchema } from '../../src/api/listing.js';
import { cli, makeHome, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

describe('bgjobs run --name and --replace', () => {
  it('returns the running job of that name, and --replace replaces it', async () => {
    const first = await cli(home, ['run', '--name', 'web', 'sleep 300']);
    expect(first.code).toBe(0);
    const firstId = first.stdout.trim();
    expect(first.stderr).toBe('');

    const again = await cli(home, ['run', '--name', 'web', 'sleep 300']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(firstId);
    expect(again.stderr).toContain(`a job named web is already running: returned ${firstId}`);

    const replaced = await cli(home, ['run', '--name', 'web', '--replace', 'sleep 301']);
    expect(replaced.code).toBe(0);
    const newId = replaced.stdout.trim();
    expect(newId).not.toBe(firstId);
    expect(replaced.stderr).toContain(`replaced ${firstId}`);

    const old = await cli(home, ['status', firstId, '--json']);
    expect(JSON.parse(old.stdout)).toMatchObject({ status: 'killed' });
    const current = await cli(home, ['status', 'web', '--json']);
    expect(JSON.parse(current.stdout)).toMatchObject({
      job_id: newId,
      status: 'running',
      command: 'sleep 301',
    });
  });
});

describe('bgjobs run --restart', () => {
  it('restarts a failing command once, then ends failed after two runs', async () => {
    const started = await cli(home, [
      'run',
      '--restart',
      'on-failure',
      '--max-restarts',
      '1',
      'exit 3',
    ]);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();

    const waited = await cli(home, ['wait', id, '--timeout', '30']);
    expect(waited.code).toBe(3);

    const json = await cli(home, ['status', id, '--json']);
    const status = statusOutputSchema.parse(JSON.parse(json.stdout));
    expect(status).toMatchObject({
      status: 'failed',
      exit_code: 3,
      runs: 2,
      restart_policy: 'on-failure',
    });

    const human = await cli(home, ['status', id]);
    expect(human.stdout).toMatch(/^runs\s+2, last exit 3$/m);
    expect(human.stdout).toMatch(/^restart\s+on-failure$/m);
  });

  it('refuses restart tuning without --restart', async () => {
    const bad = await cli(home, ['run', '--max-restarts', '2', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('need --restart');
  });
});
