// Proves: `run --wait` prints the job's output as it comes and ends with one outcome line that
// says the status once (`completed (exited with code 0)`, `timed out (killed by SIGTERM)`);
// Ctrl-C on `run -f` or `logs -f` leaves the job running and says how to stop it; a `\r`
// progress line followed into a pipe is written once, in its last state, never run together.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ProgressLines } from '../../src/cli/progress-lines.js';
import { cli, makeHome, runJob, spawnCli, teardown, until } from './cli-harness.js';

let home: string;
beforeAll(() => {
  home = makeHome();
});
afterAll(async () => {
  await teardown(home);
});

describe('bgjobs run --wait', () => {
  it("prints the quick start's hello, then the outcome said once", async () => {
    const result = await cli(home, ['run', '--wait', 'echo hello']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello\n');
    const id = /started (\w+)/.exec(result.stderr)?.[1];
    expect(result.stderr).toBe(
      `bgjobs: started ${id}\nbgjobs: ${id} completed (exited with code 0)\n`,
    );
  });

  it('a failure says failed and the exit code, and exits with it', async () => {
    const result = await cli(home, ['run', '--wait', 'echo oops >&2; exit 3']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('oops\n');
    expect(result.stderr).toMatch(/ failed \(exited with code 3\)\n$/);
  });
});

describe('Ctrl-C while following', () => {
  for (const verb of ['run -f', 'logs -f'] as const) {
    it(`${verb} detaches, says the job keeps running and how to stop it`, async () => {
      const id = verb === 'run -f' ? undefined : await runJob(home, ['echo up; sleep 300']);
      const args = id === undefined ? ['run', '-f', 'echo up; sleep 300'] : ['logs', '-f', id];
      const follower = spawnCli(home, args);
      try {
        await until(() => follower.seen.stdout.includes('up\n'), 'the output');
        follower.child.kill('SIGINT');
        expect(await follower.exited).toBe(130);
      } finally {
        follower.child.kill();
      }
      const jobId = id ?? /started (\w+)/.exec(follower.seen.stderr)?.[1] ?? '';
      expect(follower.seen.stderr).toContain(`${jobId}; it keeps running`);
      expect(follower.seen.stderr).toContain(`bgjobs kill ${jobId}`);
      const status = await cli(home, ['status', jobId, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ status: 'running' });
      await cli(home, ['kill', jobId, '--grace', '1']);
    });
  }
});

describe('progress lines', () => {
  it('into a pipe, a line redrawn with \\r is written once, in its last state', async () => {
    const gate = (n: number) => join(home, `gate-${n}`);
    const wait = (n: number) => `while [ ! -e ${gate(n)} ]; do sleep 0.05; done`;
    // Each step also says a word on stderr: seen by the follower, it proves the step was read.
    const command = [
      `printf '\\r10%%'; echo one >&2; ${wait(1)}`,
      `printf '\\r50%%'; echo two >&2; ${wait(2)}`,
      `printf '\\r100%%\\ndone\\n'`,
    ].join('; ');
    const follower = spawnCli(home, ['run', '-f', command]);
    try {
      await until(() => follower.seen.stderr.includes('one\n'), 'the first step');
      writeFileSync(gate(1), '');
      await until(() => follower.seen.stderr.includes('two\n'), 'the second step');
      writeFileSync(gate(2), '');
      expect(await follower.exited).toBe(0);
    } finally {
      follower.child.kill();
    }
    expect(follower.seen.stdout).toBe('100%\ndone\n');
  });

  it('a prompt shows before its newline; a line begun, then redrawn, goes on below', () => {
    const pipe = new ProgressLines(false);
    expect(pipe.push('Name: ')).toBe('Name: ');
    expect(pipe.push('Ada\n')).toBe('Ada\n');
    expect(pipe.push('10%')).toBe('10%');
    expect(pipe.push('\r50%')).toBe('');
    expect(pipe.push('\r100%\r\n')).toBe('\n100%\n');
    expect(pipe.push('\r99%')).toBe('');
    expect(pipe.end()).toBe('99%');
  });

  it('on a terminal, \\r goes through for the terminal to redraw', () => {
    const terminal = new ProgressLines(true);
    expect(terminal.push('\r10%')).toBe('\r10%');
    expect(terminal.push('\r100%\n')).toBe('\r100%\n');
    expect(terminal.end()).toBe('');
  });
});
