// Proves: while a job runs, a daemon whose socket file is deleted, or replaced by another file,
// listens there again by itself, so the next client call succeeds (through the CLI, as a person
// would see it) and `wait` returns the job's own exit code; the daemon that serves is still the
// one that started, and it kept the job.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, runJob, spawnCli, teardown } from '../cli/cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
// Were the socket not recreated, `daemon stop` could not reach the daemon: teardown ends it by pid.
afterEach(() => teardown(home));

async function daemonPid(): Promise<number> {
  const status = await cli(home, ['daemon', 'status', '--json']);
  const parsed = JSON.parse(status.stdout) as { running: boolean; pid: number };
  expect(parsed.running).toBe(true);
  return parsed.pid;
}

it.each(['deleted', 'replaced'] as const)(
  'serves again after its socket is %s, and wait returns the exit code',
  async (what) => {
    const id = await runJob(home, ['while [ ! -e go ]; do sleep 0.1; done; exit 7']);
    const pid = await daemonPid();
    const socket = join(home, 'daemon.sock');
    if (what === 'deleted') {
      rmSync(socket);
    } else {
      writeFileSync(join(home, 'other'), 'not a socket');
      renameSync(join(home, 'other'), socket);
    }

    const status = await cli(home, ['status', id, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ job_id: id, status: 'running' });
    expect(await daemonPid()).toBe(pid);

    const waiting = spawnCli(home, ['wait', id]);
    writeFileSync(join(home, 'go'), '');
    expect(await waiting.exited, waiting.seen.stderr).toBe(7);
  },
);
