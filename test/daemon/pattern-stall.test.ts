// Proves: a readiness pattern or an `interact` expect that V8 cannot bound (a lookaround ahead of
// three repeats in a row, polynomial on a line of "a") never stalls the daemon: while it runs
// against such output, other clients' `status` and `ls` still answer, and the pattern is given
// up once its time budget is spent — readiness then says "failed" naming the slow pattern, and
// `send --expect` fails saying so — while an ordinary lookaround pattern still matches.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, runJob, spawnCli, teardown, until } from '../cli/cli-harness.js';

// Backtracks for hours on a few thousand "a" (39 s on 500 of them).
const SLOW = '(?=a)a*a*a*b';
const BUDGET = { BGJOBS_SEARCH_BUDGET_MS: '1000' };
// Far beyond an answering daemon's reply, far below the slow pattern's run.
const ANSWER_MS = 20_000;
const LONG_LINE = `printf 'a%.0s' $(seq 4000); echo`;

let home: string;
beforeEach(async () => {
  home = makeHome();
  // The daemon reads the budget from its own environment.
  const started = await cli(home, ['daemon', 'start'], { env: BUDGET });
  expect(started.code, started.stderr).toBe(0);
});
// A stalled daemon answers no `daemon stop`: teardown ends it by pid.
afterEach(() => teardown(home));

interface Status {
  status: string;
  ready_state: string;
  ready_match: string | null;
}

async function status(id: string): Promise<Status> {
  const answer = await cli(home, ['status', id, '--json'], { timeoutMs: ANSWER_MS, env: BUDGET });
  expect(answer.code, answer.stderr).toBe(0);
  return JSON.parse(answer.stdout) as Status;
}

async function listAnswers(): Promise<void> {
  const listed = await cli(home, ['ls', '--json'], { timeoutMs: ANSWER_MS, env: BUDGET });
  expect(listed.code, listed.stderr).toBe(0);
}

it('gives up a slow readiness pattern and keeps answering meanwhile', async () => {
  const written = join(home, 'written');
  const id = await runJob(home, [
    '--ready-pattern',
    SLOW,
    `${LONG_LINE}; touch '${written}'; sleep 300`,
  ]);
  await until(() => existsSync(written), 'the long line to be written');

  // Every call answers while the pattern is tried; it ends failed, the pattern named.
  const settled = await until(async () => {
    await listAnswers();
    const job = await status(id);
    return job.ready_state === 'pending' ? undefined : job;
  }, 'readiness to be given up');
  expect(settled).toMatchObject({ status: 'running', ready_state: 'failed' });
  expect(settled.ready_match).toMatch(/too slow/);
  expect(settled.ready_match).toContain(SLOW);
}, 90_000);

it('still makes a job ready on a lookaround pattern that matches', async () => {
  const id = await runJob(home, [
    '--ready-pattern',
    '(?<!not )listening on \\d+',
    `echo not listening on 1; ${LONG_LINE}; echo listening on 2; sleep 300`,
  ]);
  const ready = await cli(home, ['wait', id, '--until', 'ready', '--timeout', '30'], {
    env: BUDGET,
  });
  expect(ready.code, ready.stderr).toBe(0);
  expect(ready.stdout).toContain('ready: listening on 2');
}, 60_000);

it('gives up a slow expect and keeps answering meanwhile', async () => {
  const written = join(home, 'written');
  const id = await runJob(home, [`read x; ${LONG_LINE}; touch '${written}'; sleep 300`]);
  const send = spawnCli(home, ['send', id, 'go', '--wait', '--expect', SLOW, '--timeout', '60'], {
    env: BUDGET,
  });
  await until(() => existsSync(written), 'the long line to be written');

  await listAnswers();
  expect((await status(id)).status).toBe('running');
  const code = await send.exited;
  expect(code).not.toBe(0);
  expect(send.seen.stderr).toMatch(/too slow/);
  // The daemon serves on after it.
  await listAnswers();
}, 90_000);

it('returns at once when a lookaround expect matches', async () => {
  const id = await runJob(home, [`read x; ${LONG_LINE}; echo "got $x"; sleep 300`]);
  const sent = await cli(
    home,
    ['send', id, 'go', '--wait', '--expect', '(?<=got )go$', '--timeout', '30', '--json'],
    { env: BUDGET },
  );
  expect(sent.code, sent.stderr).toBe(0);
  expect(JSON.parse(sent.stdout)).toMatchObject({ returned_because: 'expect' });
}, 60_000);
