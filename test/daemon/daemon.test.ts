// Proves: the daemon starts on demand, exactly one per BGJOBS_HOME even when many clients
// start it at once; its socket and folder are private (0600/0700); it stops on request and by
// itself when idle; a job's exit code and output survive `kill -9` of the daemon; output
// written while the daemon is killed and restarted twice is complete; after 500 short jobs
// the daemon has no zombie children and no leaked file descriptors.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, type DaemonClient } from '../../src/daemon/client.js';
import { daemonStatus, startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { procStat, openFdCount } from '../../src/procfs/proc.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

let h: TestHome;
let clients: DaemonClient[] = [];
beforeEach(() => {
  h = makeHome();
});
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await h.cleanup();
});

async function client(): Promise<DaemonClient> {
  const c = await connect(h.config());
  clients.push(c);
  return c;
}

const caller = () => ({ cwd: process.cwd(), env: h.env, reader: 'test' });

function killDaemon(pid: number): void {
  process.kill(pid, 'SIGKILL');
}

describe('daemon', () => {
  it('starts on demand, once per home, private to the user', async () => {
    const starts = await Promise.all(
      Array.from({ length: 5 }, () => startDaemon(h.config(), { env: h.env })),
    );
    const pids = new Set(starts.map((s) => s.pid));
    expect(pids.size).toBe(1);
    expect(starts.filter((s) => s.started).length).toBeLessThanOrEqual(1);
    expect(statSync(h.home).mode & 0o777).toBe(0o700);
    expect(statSync(join(h.home, 'daemon.sock')).mode & 0o777).toBe(0o600);
    const status = await daemonStatus(h.config());
    expect(status).toMatchObject({ running: true, pid: [...pids][0] });
    const stopped = await stopDaemon(h.config());
    expect(stopped.stopped).toBe(true);
    expect((await daemonStatus(h.config())).running).toBe(false);
  });

  it('keeps a job and its exit code across kill -9 of the daemon', async () => {
    const api = await client();
    const job = await api.execute(
      { command: "sh -c 'sleep 2; echo done; exit 7'" },
      { caller: caller() },
    );
    const first = (await daemonStatus(h.config())).pid!;
    killDaemon(first);
    await until(() => procStat(first) === undefined || procStat(first)?.state === 'Z');
    // A new client (a new chat) starts a new daemon, which re-adopts the job.
    const fresh = await client();
    const waited = await fresh.wait({ job_id: job.job_id, timeout_s: 20 }, { caller: caller() });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 7 });
    expect((await fresh.output({ job_id: job.job_id })).stdout).toBe('done\n');
    expect((await daemonStatus(h.config())).pid).not.toBe(first);
  });

  it('loses no output while the daemon is killed and restarted twice', async () => {
    const api = await client();
    const job = await api.execute(
      { command: 'for i in $(seq 1 200); do echo $i; sleep 0.02; done' },
      { caller: caller() },
    );
    for (let round = 0; round < 2; round++) {
      await until(
        async () => (await api.status({ job_id: job.job_id })).stdout.bytes > (round + 1) * 100,
      );
      const pid = (await daemonStatus(h.config())).pid!;
      killDaemon(pid);
      await until(() => procStat(pid) === undefined || procStat(pid)?.state === 'Z');
      // The same client reconnects, starting a new daemon.
    }
    const waited = await api.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0 });
    const output = await api.output({ job_id: job.job_id, max_bytes: 100_000 });
    expect(output.stdout).toBe(Array.from({ length: 200 }, (_, i) => `${i + 1}\n`).join(''));
  });

  it('stops by itself when idle with nothing running', async () => {
    const { pid } = await startDaemon(h.config(), { env: { ...h.env, BGJOBS_IDLE_TIMEOUT: '1' } });
    await until(
      () => procStat(pid) === undefined || procStat(pid)?.state === 'Z',
      15_000,
      'the idle daemon to exit',
    );
    expect((await daemonStatus(h.config())).running).toBe(false);
  });

  it('has no zombies and no leaked descriptors after 500 short jobs', async () => {
    const api = await client();
    const warm = await api.execute({ command: 'true' }, { caller: caller() });
    await api.wait({ job_id: warm.job_id, timeout_s: 20 });
    const pid = (await daemonStatus(h.config())).pid!;
    const fdsBefore = openFdCount(pid);
    for (let batch = 0; batch < 5; batch++) {
      const jobs = await Promise.all(
        Array.from({ length: 100 }, () => api.execute({ command: 'echo x' }, { caller: caller() })),
      );
      const job_ids = jobs.map((j) => j.job_id);
      const waited = await api.wait({ job_ids, timeout_s: 50, tail_lines: 0 });
      expect(waited.done).toBe(true);
    }
    const zombies = () =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .map((e) => procStat(Number(e)))
        .filter((s) => s !== undefined && s.ppid === pid && s.state === 'Z');
    // A monitor records its job's end a moment before it exits, so the last one may be a zombie
    // for an instant; a leaked one stays a zombie for good.
    await until(() => zombies().length === 0, 5_000, 'no zombie children').catch(() => undefined);
    expect(zombies()).toEqual([]);
    // A few descriptors may come and go (sockets, the database's WAL); none may pile up per job.
    expect(openFdCount(pid)).toBeLessThan(fdsBefore + 10);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/VmRSS/);
    // 500 process starts take a minute on a busy 2-core machine: a bound, not a timing.
  }, 240_000);
});
