// Proves: a kill is a durable intent across a real daemon crash. `kill --grace 8` on a job that
// survives SIGTERM, the daemon `kill -9`ed during the grace: the next daemon (started by the
// next command) SIGKILLs the job once the grace has passed and records it `killed`; the job's
// process, which outlived its daemon and SIGTERM, is gone.
import { resolve } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { isSameProcess, procStat } from '../../src/procfs/proc.js';
import { cli, makeHome, runJob, spawnCli, teardown, until } from '../cli/cli-harness.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/trap-term-note.sh');

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => teardown(home));

interface StatusJson {
  status: string;
  signal: string | null;
  pid: number | null;
}

async function statusOf(id: string): Promise<StatusJson> {
  return JSON.parse((await cli(home, ['status', id, '--json'])).stdout) as StatusJson;
}

it('finishes a kill whose daemon was kill -9ed during the grace, and records it killed', async () => {
  const id = await runJob(home, [`exec sh ${FIXTURE}`]);
  await until(async () => (await cli(home, ['tail', id])).stdout.includes('ready'), 'ready');
  const { pid: jobPid } = await statusOf(id);
  expect(jobPid).toBeGreaterThan(0);
  const jobStart = procStat(jobPid!)!.startTime;

  const killing = spawnCli(home, ['kill', id, '--grace', '8']);
  // The job prints "term" when SIGTERM reaches it: the intent was recorded before it was sent.
  await until(async () => (await cli(home, ['tail', id])).stdout.includes('term'), 'SIGTERM');
  const daemon = JSON.parse((await cli(home, ['daemon', 'status', '--json'])).stdout) as {
    pid: number;
  };
  process.kill(daemon.pid, 'SIGKILL');
  await killing.exited;
  await until(
    () => procStat(daemon.pid) === undefined || procStat(daemon.pid)?.state === 'Z',
    'the daemon to die',
  );
  // The job outlived its daemon and SIGTERM.
  expect(isSameProcess(jobPid, jobStart)).toBe(true);

  // The next command starts a daemon, which finishes the kill once the grace has passed.
  const ended = await until(
    async () => {
      const status = await statusOf(id);
      return status.status === 'running' ? undefined : status;
    },
    'the next daemon to finish the kill',
    30_000,
  );
  expect(ended).toMatchObject({ status: 'killed', signal: 'SIGKILL' });
  expect(isSameProcess(jobPid, jobStart)).toBe(false);
});
