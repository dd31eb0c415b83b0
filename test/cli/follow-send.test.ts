// Proves: `logs -f` prints output while the job is still running (stdout to stdout, stderr to
// stderr) and ends by itself, exit 0, once the job has ended and all its output is printed;
// `send` types a line into a job waiting at a `read` prompt and `--wait` prints what came back;
// `send --eof` closes stdin so a job reading to the end finishes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cli, makeHome, runJob, spawnCli, teardown, until } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

describe('bgjobs logs --follow', () => {
  it('follows output as it grows and ends when the job ends', async () => {
    const gate = join(home, 'go');
    const id = await runJob(home, [
      `echo first; echo warn >&2; while [ ! -e '${gate}' ]; do sleep 0.05; done; echo second`,
    ]);
    const follower = spawnCli(home, ['logs', '-f', id]);
    try {
      let ended = false;
      void follower.exited.then(() => (ended = true));

      await until(() => follower.seen.stdout.includes('first\n'), 'the first line, while running');
      await until(() => follower.seen.stderr.includes('warn\n'), 'stderr on stderr');
      expect(ended).toBe(false);

      writeFileSync(gate, '');
      expect(await follower.exited).toBe(0);
      expect(follower.seen.stdout).toBe('first\nsecond\n');
      expect(follower.seen.stderr).toBe('warn\n');
    } finally {
      follower.child.kill();
    }
  });

  it('run -f prints the output and exits with the job exit code', async () => {
    const result = await cli(home, ['run', '-f', 'echo hello; exit 5']);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('hello\n');
  });
});

describe('bgjobs send', () => {
  it('answers a read prompt and shows what came back', async () => {
    const id = await runJob(home, ['printf "Name: "; read name; echo "hello $name"']);
    await until(
      async () => (await cli(home, ['tail', id])).stdout.includes('Name: '),
      'the prompt',
    );

    const sent = await cli(home, ['send', id, 'Ada', 'Lovelace', '--wait']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('hello Ada Lovelace');

    expect((await cli(home, ['wait', id])).code).toBe(0);
  });

  it('closes stdin with --eof', async () => {
    const id = await runJob(home, ['cat; echo "[eof]"']);
    expect((await cli(home, ['send', id, 'one line'])).code).toBe(0);
    expect((await cli(home, ['send', id, '--eof'])).code).toBe(0);
    expect((await cli(home, ['wait', id, '--timeout', '20'])).code).toBe(0);
    expect((await cli(home, ['logs', id])).stdout).toBe('one line\n[eof]\n');
  });
});
