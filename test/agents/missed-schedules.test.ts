// A schedule that fell due while no daemon ran, over a real daemon and its SQLite store:
// `missed: "skip"` (the default) makes no run for it, `missed: "run_once"` makes exactly one,
// however many ticks were missed; both then keep their schedule.
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, teardown, until } from '../cli/cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => teardown(home));

async function runsOf(agent: string): Promise<{ job_id: string; status: string }[]> {
  const listed = await cli(home, ['ls', '--agent', agent, '--all', '--json']);
  return (JSON.parse(listed.stdout) as { jobs: { job_id: string; status: string }[] }).jobs;
}

interface Listed {
  agents: { name: string; state: string; runs: number; next_run_at: string | null }[];
}

it('skip makes no run for a missed schedule; run_once makes exactly one', async () => {
  for (const [name, missed] of [
    ['a-skip', 'skip'],
    ['b-once', 'run_once'],
  ] as const) {
    const started = await cli(home, [
      'agent',
      'start',
      name,
      '--every',
      '1h',
      '--missed',
      missed,
      '--',
      'echo ran',
    ]);
    expect(started.code, started.stderr).toBe(0);
  }
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);

  // While no daemon runs, three hours pass for the store: the last tick was three hours ago, so
  // three hourly ticks fell due with no daemon to run them.
  const db = new Database(join(home, 'bgjobs.db'));
  try {
    const changed = db
      .prepare('UPDATE agents SET last_fire_at = ?')
      .run(Date.now() - 3 * 3_600_000 - 60_000);
    expect(changed.changes).toBe(2);
  } finally {
    db.close();
  }

  // Any command starts a daemon, which re-arms the agents (in name order: a-skip first).
  const listed = JSON.parse((await cli(home, ['agents', '--json'])).stdout) as Listed;
  expect(listed.agents.map((a) => `${a.name}:${a.state}`)).toEqual([
    'a-skip:armed',
    'b-once:armed',
  ]);
  const made = await until(async () => {
    const runs = await runsOf('b-once');
    return runs.length > 0 && runs.every((run) => run.status === 'completed') ? runs : undefined;
  }, 'the make-up run of b-once');

  expect(made).toHaveLength(1);
  expect(await runsOf('a-skip')).toEqual([]);
  const after = JSON.parse((await cli(home, ['agents', '--json'])).stdout) as Listed;
  for (const agent of after.agents) {
    // Both keep their hourly schedule: the next tick is ahead, not in the past.
    expect(Date.parse(agent.next_run_at ?? ''), agent.name).toBeGreaterThan(Date.now());
  }
  expect(after.agents.map((a) => a.runs)).toEqual([0, 1]);
});
