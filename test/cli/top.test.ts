// Proves: `bgjobs top --once` prints one frame, cut to --width, with each job's status, run
// time, listening ports and last output line; `bgjobs ls --watch` into a pipe writes a new frame
// when a job starts, prints or ends (driven by the daemon's event stream), and ends cleanly on
// SIGINT.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cli, makeHome, spawnCli, teardown, until } from './cli-harness.js';
import { freePort } from '../helpers/free-port.js';

let home: string;
beforeAll(() => {
  home = makeHome();
});
afterAll(async () => {
  await teardown(home);
});

/** The last complete frame a piped `top` wrote (frames end with a blank line). */
function lastFrame(stdout: string): string {
  const frames = stdout.split('\n\n').filter((frame) => frame.trim() !== '');
  return stdout.endsWith('\n\n') ? (frames.at(-1) ?? '') : (frames.at(-2) ?? '');
}

describe('bgjobs top', () => {
  it('--once prints one frame: status, run time, ports and the last line, cut to --width', async () => {
    const port = await freePort();
    const server = `echo booting; python3 -m http.server ${port} --bind 127.0.0.1`;
    const started = await cli(home, [
      'run',
      '--name',
      'web',
      '--ready-port',
      String(port),
      '--wait-ready',
      server,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const frame = await until(async () => {
      const shown = await cli(home, ['top', '--once', '--width', '100']);
      return shown.stdout.includes('Serving HTTP') ? shown.stdout : null;
    }, 'the server line');
    const lines = frame.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^bgjobs top: 1 jobs of .*, 1 running/);
    expect(lines[1]).toMatch(/^ID +NAME +STATUS +RAN +PORTS +COMMAND +LAST OUTPUT$/);
    expect(lines[2]).toMatch(
      new RegExp(`^${id} +web +running +[\\d.]+m?s +:${port} +echo booting`),
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    await cli(home, ['kill', id, '--grace', '1']);
  });

  it('ls --watch redraws on job events into a pipe, and ends on SIGINT', async () => {
    const watcher = spawnCli(home, ['ls', '--watch', '--width', '120']);
    try {
      await until(() => watcher.seen.stdout.includes('bgjobs top:'), 'the first frame');
      const started = await cli(home, ['run', 'echo first-line; read _; echo second-line']);
      const id = started.stdout.trim();
      await until(
        () => /running .*first-line/.test(lastFrame(watcher.seen.stdout).split(id)[1] ?? ''),
        'the new job, running, with its first line',
      );
      await cli(home, ['send', id, 'go']);
      await until(
        () =>
          /completed exit 0 .*second-line/.test(lastFrame(watcher.seen.stdout).split(id)[1] ?? ''),
        'the job ended, with its last line',
      );
      watcher.child.kill('SIGINT');
      expect(await watcher.exited).toBe(0);
      expect(watcher.seen.stderr).toBe('');
    } finally {
      watcher.child.kill();
    }
  });
});
