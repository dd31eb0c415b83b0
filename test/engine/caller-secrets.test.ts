// Proves: the caller's environment never reaches the SQLite file (nor its WAL) — a job sees
// SECRET_TOKEN from its caller while no byte of it is in bgjobs.db*, while it runs and after;
// what a job must inherit to start later lives in its folder's `env` file (0600) only while the
// job is live — a queued job and a restarting service get it across an engine restart, and the
// file is gone once the job ends; `status` shows override keys with secret-looking values masked.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
let secret: string;
let caller: EngineHarness['caller'];

beforeEach(async () => {
  h = await openEngine({ BGJOBS_MAX_JOBS: '1' });
  secret = `xyz-${Math.random().toString(36).slice(2)}-secret`;
  caller = { ...h.caller, env: { ...h.caller.env, SECRET_TOKEN: secret } };
});
afterEach(async () => {
  await h.close();
});

/** The bytes of the database and of every file SQLite keeps beside it (WAL, shared memory). */
function databaseHolds(text: string): boolean {
  return readdirSync(h.home)
    .filter((file) => file.startsWith('bgjobs.db'))
    .some((file) => readFileSync(join(h.home, file)).includes(text));
}

const envFile = (id: string): string => join(h.home, 'jobs', id, 'env');
// The job shows what it got in its output (a file of its folder, not the database).
const CHECK = 'echo "got:$SECRET_TOKEN"';

describe("the caller's environment", () => {
  it('is never written to the database, and its file goes when the job ends', async () => {
    const probe = await h.engine.execute({ command: `${CHECK}; sleep 1000` }, { caller });
    await until(
      async () => (await h.engine.output({ job_id: probe.job_id })).stdout.includes('\n'),
      20_000,
    );
    expect((await h.engine.output({ job_id: probe.job_id })).stdout).toBe(`got:${secret}\n`);
    expect(statSync(envFile(probe.job_id)).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile(probe.job_id), 'utf8')).toContain(secret);
    expect(databaseHolds(secret)).toBe(false);

    await h.engine.kill({ job_id: probe.job_id, grace_s: 1 });
    expect(existsSync(envFile(probe.job_id))).toBe(false);
    await h.reopen();
    expect(databaseHolds(secret)).toBe(false);
  });

  it('reaches a queued job started by the next engine', async () => {
    const blocker = await h.engine.execute({ command: 'sleep 1000' }, { caller });
    const queued = await h.engine.execute({ command: CHECK }, { caller });
    expect(queued.status).toBe('queued');
    expect(existsSync(envFile(queued.job_id))).toBe(true);
    expect(databaseHolds(secret)).toBe(false);
    await h.reopen();
    await h.engine.kill({ job_id: blocker.job_id, grace_s: 1 });
    const waited = await h.engine.wait({ job_id: queued.job_id, timeout_s: 30 });
    expect(waited.jobs[0]?.status).toBe('completed');
    expect((await h.engine.output({ job_id: queued.job_id })).stdout).toBe(`got:${secret}\n`);
    expect(existsSync(envFile(queued.job_id))).toBe(false);
    expect(databaseHolds(secret)).toBe(false);
  });

  it('reaches every run of a restarting service, across an engine restart', async () => {
    const job = await h.engine.execute(
      {
        command: `${CHECK}; exit 3`,
        restart: { policy: 'on-failure', max_restarts: 2 },
      },
      { caller },
    );
    await until(async () => (await h.engine.status({ job_id: job.job_id })).runs >= 1);
    await h.reopen();
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 50 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 3 });
    const { stdout } = await h.engine.output({ job_id: job.job_id, stream: 'stdout' });
    expect(stdout.split(`got:${secret}\n`)).toHaveLength(4);
    expect(databaseHolds(secret)).toBe(false);
  });
});

describe('status', () => {
  it('shows override keys, masking the values of secret-looking keys', async () => {
    const job = await h.engine.execute(
      {
        command: 'true',
        env: { API_KEY: 'k-1', GITHUB_TOKEN: 't-2', DB_PASSWORD: 'p-3', COLOR: 'red' },
      },
      { caller },
    );
    await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status.env).toEqual({
      API_KEY: '***',
      GITHUB_TOKEN: '***',
      DB_PASSWORD: '***',
      COLOR: 'red',
    });
  });
});
