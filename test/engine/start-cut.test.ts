// Proves: a job whose start a daemon's death cut — its start recorded, its monitor never
// spawned, or its spare let go before it was handed the command — is not lost: the next engine
// sees that its command never ran (no pid file, no exit file, no process carrying its marker)
// and starts it again, with its real outcome at the end.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine({ BGJOBS_MAX_JOBS: '1' });
});
afterEach(async () => {
  await h.close();
});

/**
 * Queues COMMAND behind a blocker, closes the engine, writes into the job's row what a daemon
 * killed mid-start leaves behind (SET, as `running` since a minute ago), and reopens: the job
 * must be judged never started and queued again, then run to its real end once the blocker is
 * killed. Returns what the wait for it said.
 */
async function startedAgain(command: string, set: string, params: unknown[]) {
  const blocker = await h.engine.execute({ command: 'sleep 300' }, { caller: h.caller });
  const job = await h.engine.execute({ command }, { caller: h.caller });
  expect(job.status).toBe('queued');
  await h.engine.close();
  const db = new Database(join(h.home, 'bgjobs.db'));
  const long = Date.now() - 60_000;
  db.prepare(
    `UPDATE jobs SET status = 'running', started_at = ?, run_started_at = ?, ${set} WHERE id = ?`,
  ).run(long, long, ...params, job.job_id);
  db.close();

  const engine = await h.reopen();
  // Until its monitor could have written its pid file, the job is given time; then it is judged
  // never started, and waits again for the slot the blocker holds.
  await until(
    async () => (await engine.status({ job_id: job.job_id })).status === 'queued',
    20_000,
    'the cut start to be judged and queued again',
  );
  await engine.kill({ job_id: blocker.job_id, signal: 'SIGKILL', grace_s: 0 });
  const waited = await engine.wait({ job_id: job.job_id, timeout_s: 30 });
  return waited.jobs[0];
}

it('starts again a job whose monitor a daemon death kept from spawning', async () => {
  const ended = await startedAgain('echo ran; exit 4', 'pid = NULL, monitor_pid = NULL', []);
  expect(ended).toMatchObject({ status: 'failed', exit_code: 4 });
  // Nothing ran before: its output is its command's alone.
  expect(ended?.output?.stdout).toBe('ran\n');
});

it('starts again a job whose spare died before it was handed the command', async () => {
  // The spare's pids recorded, both processes gone (they read EOF), no pid file, no exit file.
  const gone = spawnSync('true').pid;
  const ended = await startedAgain(
    'echo ran; exit 5',
    'pid = ?, pid_start = 1, monitor_pid = ?, monitor_start = 1',
    [gone, gone],
  );
  expect(ended).toMatchObject({ status: 'failed', exit_code: 5 });
  expect(ended?.output?.stdout).toBe('ran\n');
});
