// Proves: once a job without per-request overrides has started, spare monitors wait for the
// next jobs of its environment; a job handed to one runs as that spare's already-started
// process with the right cwd, environment, marker, terminal and exit code, and its pid is in
// execute's reply; more concurrent jobs than spares all run; spares carry nothing one request
// alone was given; a closing engine and a daemon killed with -9 leave no spare behind; a spare
// whose job never reached its process (a daemon dying mid-handover) records nothing.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { connect } from '../../src/daemon/client.js';
import { daemonStatus, startDaemon } from '../../src/daemon/lifecycle.js';
import { procStat } from '../../src/procfs/proc.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { makeHome, processesOf, until, type TestHome } from '../helpers/home.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function engine(settings: Record<string, string> = {}): Promise<EngineHarness> {
  const h = await openEngine({ BGJOBS_MAX_JOBS: '30', ...settings });
  cleanups.push(() => h.close());
  return h;
}

interface Spares {
  monitors: { pid: number; start: number }[];
  jobs: { pid: number; start: number }[];
}

/** The spare monitors and waiting job processes of HOME, found by their command lines. */
function sparesOf(home: string): Spares {
  const spares: Spares = { monitors: [], jobs: [] };
  for (const pid of processesOf(home)) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    const start = procStat(pid)?.startTime ?? 0;
    if (args.includes('--spare')) spares.monitors.push({ pid, start });
    else if (args.some((arg) => arg.endsWith('/spare-job.sh'))) spares.jobs.push({ pid, start });
  }
  return spares;
}

/**
 * Until COUNT spares of HOME are running and, with an engine, have told it they are ready: a
 * spare seen in /proc before it said so would not be handed the next job.
 */
function untilSpares(
  home: string,
  count: number,
  engine?: EngineHarness['engine'],
): Promise<Spares> {
  return until(
    () => {
      if (engine !== undefined && engine.readySpares() < count) return undefined;
      const spares = sparesOf(home);
      return spares.jobs.length >= count && spares.monitors.length >= count ? spares : undefined;
    },
    15_000,
    `${count} spare monitors`,
  );
}

const gone = (p: { pid: number; start: number }): boolean => {
  const stat = procStat(p.pid);
  return stat === undefined || stat.startTime !== p.start || stat.state === 'Z';
};

describe('spare monitors', () => {
  it('run a job as the spare process, with its cwd, environment and exit code', async () => {
    const h = await engine();
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'bgjobs-spare-cwd-')));
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const caller = {
      ...h.caller,
      cwd,
      env: { ...h.caller.env, SPARE_TEST_VAR: 'from the caller' },
    };
    // The first job starts as before; spares are then made for its environment.
    await h.engine.execute({ command: 'true' }, { caller });
    const spares = await untilSpares(h.home, 2, h.engine);

    const job = await h.engine.execute(
      { command: 'pwd\necho "$SPARE_TEST_VAR" "$BGJOBS_JOB_ID"\nexit 7' },
      { caller },
    );
    // Its process was started before the request came: the reply waited for no spawn.
    expect(spares.jobs.map((p) => p.pid)).toContain(job.pid);
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 7 });
    expect(waited.jobs[0]?.output?.stdout).toBe(`${cwd}\nfrom the caller ${job.job_id}\n`);
    // Spares are not jobs: the engine holds none of them as running.
    await untilSpares(h.home, 2, h.engine);
    expect(h.engine.runningCount()).toBe(0);
  });

  it('run a terminal job in its own terminal', async () => {
    const h = await engine();
    await h.engine.execute({ command: 'true', pty: true }, { caller: h.caller });
    const spares = await untilSpares(h.home, 2, h.engine);
    const job = await h.engine.execute(
      { command: 'tty; [ -t 0 ] && echo "stdin is a terminal"; exit 3', pty: true },
      { caller: h.caller },
    );
    const monitorPid = h.engine.store.get(job.job_id)?.monitorPid;
    expect(spares.monitors.map((p) => p.pid)).toContain(monitorPid);
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(waited.jobs[0]?.output?.stdout).toMatch(/^\/dev\/pts\/\d+\r?\nstdin is a terminal/);
  });

  it('are not made with what one request alone was given', async () => {
    const h = await engine();
    await h.engine.execute({ command: 'true' }, { caller: h.caller });
    await untilSpares(h.home, 2, h.engine);
    const marker = `spare-${process.pid}-${Date.now()}`;
    const job = await h.engine.execute(
      { command: 'echo "$SPARE_MARKER"', env: { SPARE_MARKER: marker } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.output?.stdout).toBe(`${marker}\n`);
    const spares = await untilSpares(h.home, 2, h.engine);
    for (const p of [...spares.monitors, ...spares.jobs]) {
      expect(readFileSync(`/proc/${p.pid}/environ`, 'latin1')).not.toContain(marker);
    }
  });

  it('run every job of a burst larger than the pool', async () => {
    const h = await engine();
    await h.engine.execute({ command: 'true' }, { caller: h.caller });
    const spares = await untilSpares(h.home, 2, h.engine);
    const jobs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.engine.execute({ command: `echo job ${i}` }, { caller: h.caller }),
      ),
    );
    const fromSpares = jobs.filter((job) => spares.jobs.some((p) => p.pid === job.pid));
    expect(fromSpares.length).toBeGreaterThan(0);
    expect(fromSpares.length).toBeLessThan(jobs.length);
    const waited = await h.engine.wait({ job_ids: jobs.map((j) => j.job_id), timeout_s: 30 });
    expect(waited.done).toBe(true);
    for (const [i, job] of jobs.entries()) {
      const out = await h.engine.output({ job_id: job.job_id });
      expect([job.job_id, out.stdout]).toEqual([job.job_id, `job ${i}\n`]);
    }
    expect(waited.jobs.every((j) => j.status === 'completed')).toBe(true);
  });

  it('end with the engine that made them', async () => {
    const h = await engine();
    await h.engine.execute({ command: 'true' }, { caller: h.caller });
    const spares = await untilSpares(h.home, 2, h.engine);
    await h.engine.close();
    for (const p of [...spares.monitors, ...spares.jobs]) expect(gone(p)).toBe(true);
  });
});

describe('a spare whose daemon dies', () => {
  it('exits by itself after kill -9 of the daemon', async () => {
    const home: TestHome = makeHome();
    cleanups.push(() => home.cleanup());
    const client = await connect(home.config());
    cleanups.push(() => client.close());
    const caller = { cwd: process.cwd(), env: home.env, reader: 'test' };
    const job = await client.execute({ command: 'true' }, { caller });
    await client.wait({ job_id: job.job_id, timeout_s: 20 }, { caller });
    const spares = await untilSpares(home.home, 2);
    const daemon = (await daemonStatus(home.config())).pid!;
    process.kill(daemon, 'SIGKILL');
    await until(() => [...spares.monitors, ...spares.jobs].every(gone), 10_000, 'spares gone');
    // The next daemon starts jobs as ever.
    await startDaemon(home.config(), { env: home.env });
    const fresh = await connect(home.config());
    cleanups.push(() => fresh.close());
    const next = await fresh.execute({ command: 'echo after' }, { caller });
    const waited = await fresh.wait({ job_id: next.job_id, timeout_s: 20 }, { caller });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0 });
  });
});

describe('the spare protocol', () => {
  const script = (name: string): string => join(process.cwd(), 'src/monitor', name);

  /** A spare monitor started as the daemon starts one, in a temp folder; its job folder made. */
  async function spare() {
    const root = mkdtempSync(join(tmpdir(), 'bgjobs-spare-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const fifo = join(root, 'fifo');
    const child = spawn(
      '/bin/sh',
      [script('monitor.sh'), '--spare', fifo, script('spare-job.sh')],
      {
        cwd: root,
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore', 'pipe'],
      },
    );
    let said = '';
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          child.stdout!.once('data', (chunk: Buffer) =>
            resolve(/^ready \d+\n/.test((said += String(chunk)))),
          );
        }),
      10_000,
      'the spare to be ready',
    );
    const jobPid = Number(/^ready (\d+)/.exec(said)?.[1]);
    const jobStart = procStat(jobPid)?.startTime;
    // Both are this test's: the monitor's session, and the job process's own.
    cleanups.push(() => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      if (jobStart !== undefined && procStat(jobPid)?.startTime === jobStart) {
        process.kill(jobPid, 'SIGKILL');
      }
    });
    const dir = join(root, 'job');
    mkdirSync(dir);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, fifo, dir, jobPid, exited, jobStream: child.stdio[3] as Writable };
  }

  it('records nothing when its job never reached the job process', async () => {
    const s = await spare();
    renameSync(s.fifo, join(s.dir, 'stdin'));
    // The daemon wrote the monitor's line, then died before the job process's.
    s.child.stdin!.end(`${s.dir}\n`);
    s.jobStream.end();
    expect(await s.exited).toBe(0);
    expect(existsSync(join(s.dir, 'pid'))).toBe(false);
    expect(existsSync(join(s.dir, 'exit'))).toBe(false);
    expect(procStat(s.jobPid)).toBeUndefined();
  });

  it('runs a handed-over job and records its exit', async () => {
    const s = await spare();
    renameSync(s.fifo, join(s.dir, 'stdin'));
    writeFileSync(join(s.dir, 'exit.tmp'), `${' '.repeat(63)}\n`);
    s.child.stdin!.end(`${s.dir}\n`);
    s.jobStream.end(
      [s.dir, 'abcd1234', s.dir, '', '', '', '2', 'echo "$BGJOBS_JOB_ID"', 'exit 5', ''].join('\n'),
    );
    expect(await s.exited).toBe(0);
    expect(readFileSync(join(s.dir, 'exit'), 'utf8').trim()).toBe('5');
    expect(readFileSync(join(s.dir, 'stdout'), 'utf8')).toBe('abcd1234\n');
    expect(readFileSync(join(s.dir, 'pid'), 'utf8')).toBe(`${s.child.pid} ${s.jobPid}\n`);
  });
});
