// Proves: `run` takes bgjobs' options before or after the command (`run 'npm run dev' --name
// dev`, `run --timeout 1 'sleep 5' --wait`), `--` ends them (`run -- ls -la`), and it refuses,
// with a hint that says how to write it and without starting anything, a dash that is not its
// option (`run 'npm test' --watch`, `run ls -la`) or one of its options inside the command
// (`run tail -f log`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runWords } from '../../src/cli/run-args.js';
import { cli, makeHome, teardown } from './cli-harness.js';

let home: string;
beforeAll(() => {
  home = makeHome();
});
afterAll(async () => {
  await teardown(home);
});

async function status(id: string): Promise<{ command: string; name: string | null }> {
  const shown = await cli(home, ['status', id, '--json']);
  return JSON.parse(shown.stdout) as { command: string; name: string | null };
}

async function jobCount(): Promise<number> {
  const listed = await cli(home, ['ls', '--all', '--json']);
  return (JSON.parse(listed.stdout) as { jobs: unknown[] }).jobs.length;
}

describe('bgjobs run: options wherever they stand', () => {
  it('the README example names the job and keeps --name out of the command', async () => {
    const started = await cli(home, ['run', 'sleep 30', '--name', 'dev', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { job_id } = JSON.parse(started.stdout) as { job_id: string };
    expect(await status(job_id)).toMatchObject({ command: 'sleep 30', name: 'dev' });
    await cli(home, ['kill', job_id, '--grace', '1']);
  });

  it('--wait after the command waits, rather than going to sleep', async () => {
    const waited = await cli(home, ['run', '--timeout', '1', 'sleep 30', '--wait']);
    expect(waited.code).toBe(128 + 15);
    const id = /started (\w+)/.exec(waited.stderr)?.[1] ?? '';
    expect((await status(id)).command).toBe('sleep 30');
    expect(waited.stderr).toContain(`${id} timed out (killed by SIGTERM)`);
  });

  it('-- ends the options: what follows is the command, dashes and all', async () => {
    const listed = await cli(home, ['run', '--wait', '--', 'ls', '-a', '-d', '/']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('/\n');
    const failed = await cli(home, ['run', '--wait', '--', 'sh', '-c', '"exit 7"']);
    expect(failed.code).toBe(7);
  });

  it('refuses a quoted command followed by dashes it does not know, saying how to write it', async () => {
    const before = await jobCount();
    const refused = await cli(home, ['run', 'npm test', '--watch']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--watch is not an option of bgjobs run');
    expect(refused.stderr).toContain("bgjobs run 'npm test --watch'");
    expect(refused.stderr).toContain('bgjobs run -- npm test --watch');
    expect(await jobCount()).toBe(before);
  });

  it('refuses unquoted words with dashes (run ls -la) the same way', async () => {
    const refused = await cli(home, ['run', 'ls', '-la']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("bgjobs run 'ls -la'");
    expect(refused.stderr).toContain('bgjobs run -- ls -la');
  });

  it('refuses one of its options inside the command, where it cannot tell whose it is', async () => {
    const before = await jobCount();
    const refused = await cli(home, ['run', 'tail', '-f', 'app.log']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('-f stands inside the command line (tail -f app.log)');
    expect(await jobCount()).toBe(before);
  });

  it('unquoted words without dashes still make one command line', async () => {
    const said = await cli(home, ['run', 'echo', 'one', 'two', '--wait']);
    expect(said.stdout).toBe('one two\n');
  });
});

describe('runWords', () => {
  const takesValue = new Set(['--name', '--priority', '--timeout']);
  const lookup = (flag: string) =>
    takesValue.has(flag) || flag === '--wait' || flag === '-f'
      ? { takesValue: takesValue.has(flag) }
      : undefined;

  it('skips option values, even ones that start with a dash', () => {
    expect(runWords(['--priority', '-5', 'make', '--name=build'], lookup)).toEqual({
      words: ['make'],
    });
    expect(runWords(['cat', '-', '--wait'], lookup)).toEqual({ words: ['cat', '-'] });
  });

  it('keeps everything after -- as the command, even its own options', () => {
    expect(runWords(['--wait', '--', 'grep', '--name', 'x', '--'], lookup)).toEqual({
      words: ['grep', '--name', 'x', '--'],
    });
    expect(runWords(['echo', 'a', '--', 'b'], lookup)).toEqual({ words: ['echo', 'a', 'b'] });
  });
});
