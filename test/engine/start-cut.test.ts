// Proves: a job whose start a daemon's death cut — its start recorded, its monitor never
// spawned — is not lost: the next engine sees that its command never ran (no pid file, no exit
// file, no process carrying its marker) and starts it again, with its real outcome at the end.
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

it('starts again a job whose monitor a daemon death kept from spawning', async () => {
  const blocker = await h.engine.execute({ command: 'sleep 300' }, { caller: h.caller });
  const job = await h.engine.execute({ command: 'echo ran; exit 4' }, { caller: h.caller });
  expect(job.status).toBe('queued');
  await h.engine.close();
  // What a daemon killed between recording the start and spawning the monitor leaves behind.
  const db = new Database(join(h.home, 'bgjobs.db'));
  const long = Date.now() - 60_000;
  db.prepare(
    "UPDATE jobs SET status = 'running', started_at = ?, run_started_at = ?, pid = NULL, monitor_pid = NULL WHERE id = ?",
  ).run(long, long, job.job_id);
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
  expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 4 });
  // Nothing ran before: its output is its command's alone.
  expect(waited.jobs[0]?.output?.stdout).toBe('ran\n');
});

it('starts again a job whose spare died before it was handed the command', async () => {
  const blocker = await h.engine.execute({ command: 'sleep 300' }, { caller: h.caller });
  const job = await h.engine.execute({ command: 'echo ran; exit 5' }, { caller: h.caller });
  expect(job.status).toBe('queued');
  await h.engine.close();
  // What a daemon killed between answering and handing the job to its spare leaves behind: the
  // spare's pids recorded, both processes gone (they read EOF), no pid file, no exit file.
  const gone = spawnSync('true').pid;
  const db = new Database(join(h.home, 'bgjobs.db'));
  const long = Date.now() - 60_000;
  db.prepare(
    "UPDATE jobs SET status = 'running', started_at = ?, run_started_at = ?, pid = ?, pid_start = 1, monitor_pid = ?, monitor_start = 1 WHERE id = ?",
  ).run(long, long, gone, gone, job.job_id);
  db.close();

  const engine = await h.reopen();
  await until(
    async () => (await engine.status({ job_id: job.job_id })).status === 'queued',
    20_000,
    'the job no spare ran to be queued again',
  );
  await engine.kill({ job_id: blocker.job_id, signal: 'SIGKILL', grace_s: 0 });
  const waited = await engine.wait({ job_id: job.job_id, timeout_s: 30 });
  expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 5 });
  expect(waited.jobs[0]?.output?.stdout).toBe('ran\n');
});
