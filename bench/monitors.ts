// Figure 4b: what one running job's `sh` monitor costs, with 200 `sleep` jobs running at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { DaemonClient } from '../src/daemon/client.js';
import { procStat } from '../src/procfs/proc.js';
import { pssMb, rssMb, RssSampler } from './proc-mem.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const JOBS = 200;
const BATCH = 20;
const SETTLE_MS = 3000;
const STATUS_WARMUP = 5;
const STATUS_CALLS = 50;

/**
 * Starts JOBS `sleep 600` jobs (the daemon runs with BGJOBS_MAX_JOBS=250, so none queues), finds
 * each job's monitor as the parent of the job's pid (the monitor backgrounds `setsid env sh -c`,
 * and setsid need not fork there, so the job's parent is the monitor; checked by its cmdline),
 * and sums their PSS and RSS. PSS divides shared pages (the shell binary, libc) among the
 * processes sharing them, so PSS / 200 is what one more monitor really costs; RSS counts them
 * in full for each.
 *
 * The daemon's RSS is sampled from the first start until SETTLE_MS after the last. Then
 * `status` is timed once on each of the 200 running jobs, and the daemon's RSS read again;
 * last, all but one job are killed and `status` of that one is timed (the baseline).
 *
 * Baseline: 200 plain `sh -c 'sleep 600; :'` started by Node (the `; :` keeps the shell waiting
 * instead of exec'ing sleep): the least a waiting shell can cost. Measured first, then ended.
 */
export async function measureMonitors(
  client: DaemonClient,
  daemonPid: number,
  env: Record<string, string>,
): Promise<Figure[]> {
  const plainPss = await plainShellPss(env);

  const daemonIdle = rssMb(daemonPid) ?? Number.NaN;
  const sampler = new RssSampler(daemonPid);
  sampler.start();
  const jobIds = await startSleeps(client, JOBS);
  // Then a few quiet seconds with all of them running, to see where the daemon settles.
  await delay(SETTLE_MS);
  sampler.stop();
  const daemonRss = summarize(sampler.samples);
  const settled = sampler.samples.at(-1) ?? Number.NaN;

  const { times: statusAll, pids } = await timeStatus(client, jobIds, jobIds.length);
  const daemonAfterStatus = rssMb(daemonPid) ?? Number.NaN;
  const monitors: number[] = [];
  for (const id of jobIds) {
    const pid = pids.get(id) ?? null;
    const monitor = pid === null ? undefined : procStat(pid)?.ppid;
    if (monitor === undefined || !cmdline(monitor).includes('monitor.sh')) {
      throw new Error(`bench: could not find the monitor of job ${id} (pid ${pid})`);
    }
    monitors.push(monitor);
  }
  const pss = sum(monitors.map((pid) => pssMb(pid) ?? Number.NaN));
  const rss = sum(monitors.map((pid) => rssMb(pid) ?? Number.NaN));
  const statusSummary = summarize(statusAll);

  // The baseline for `status`: the same call with only one of the jobs left running.
  const [kept, ...others] = jobIds;
  for (let i = 0; i < others.length; i += BATCH) {
    await Promise.all(
      others
        .slice(i, i + BATCH)
        .map((id) => client.kill({ job_id: id, signal: 'SIGKILL', grace_s: 0 })),
    );
  }
  const statusAlone = (await timeStatus(client, [kept ?? ''], STATUS_CALLS)).times;

  return [
    {
      id: 'monitor_pss_mb',
      label: `per-job monitor PSS (${JOBS} running)`,
      value: pss / JOBS,
      unit: 'MB',
      baseline: { label: 'plain waiting sh', value: plainPss },
      target: { kind: 'max', limit: 2, on: 'value' },
      details: `sum PSS ${pss.toFixed(1)} MB over ${monitors.length} monitors`,
    },
    {
      id: 'monitor_rss_mb',
      label: `per-job monitor RSS (${JOBS} running)`,
      value: rss / JOBS,
      unit: 'MB',
      details: 'RSS counts shared pages once per process; PSS is the honest sum',
    },
    {
      id: 'daemon_rss_200_jobs_mb',
      label: `daemon RSS starting ${JOBS} jobs (max, before any status)`,
      value: daemonRss.max,
      unit: 'MB',
      baseline: { label: 'idle daemon', value: daemonIdle },
      target: { kind: 'max', limit: 150, on: 'value' },
      details: `${daemonRss.n} samples, every 20 ms; ${(SETTLE_MS / 1000).toFixed(0)} s after the last start: ${settled.toFixed(1)} MB`,
    },
    {
      id: 'status_running_200_ms',
      label: `status of a running job (${JOBS} running)`,
      value: statusSummary.p50,
      unit: 'ms',
      baseline: { label: '1 job running', value: median(statusAlone) },
      details: describeSummary(statusSummary),
    },
    {
      id: 'daemon_rss_after_status_mb',
      label: `daemon RSS after ${JOBS} status calls`,
      value: daemonAfterStatus,
      unit: 'MB',
      baseline: { label: 'before them', value: settled },
      target: { kind: 'max', limit: 150, on: 'value' },
    },
  ];
}

/** Starts COUNT `sleep 600` jobs, BATCH at a time; each must be running with a pid. */
async function startSleeps(client: DaemonClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, () =>
        client.execute({ command: 'sleep 600' }),
      ),
    );
    for (const job of batch) {
      if (job.status !== 'running' || job.pid === null) {
        throw new Error(`bench: sleep job ${job.job_id} is ${job.status}, not running with a pid`);
      }
      ids.push(job.job_id);
    }
  }
  return ids;
}

/** CALLS timings of `status`, cycling through IDS after a short warm-up, and the jobs' pids. */
async function timeStatus(
  client: DaemonClient,
  ids: readonly string[],
  calls: number,
): Promise<{ times: number[]; pids: Map<string, number | null> }> {
  const times: number[] = [];
  const pids = new Map<string, number | null>();
  for (let i = -STATUS_WARMUP; i < calls; i++) {
    const id = ids[(i + ids.length * STATUS_WARMUP) % ids.length] ?? '';
    const began = performance.now();
    const status = await client.status({ job_id: id });
    if (i >= 0) times.push(performance.now() - began);
    if (status.status !== 'running') throw new Error(`bench: job ${id} is ${status.status}`);
    pids.set(id, status.pid);
  }
  return { times, pids };
}

async function plainShellPss(env: Record<string, string>): Promise<number> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < JOBS; i++) {
      children.push(
        spawn('/bin/sh', ['-c', 'sleep 600; :'], { env, stdio: 'ignore', detached: false }),
      );
    }
    // Until every shell has exec'd and forked its sleep (each then has a child).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !children.every((child) => hasChild(child.pid))) {
      await delay(20);
    }
    return sum(children.map((child) => (child.pid ? (pssMb(child.pid) ?? 0) : 0))) / JOBS;
  } finally {
    for (const child of children) {
      const sleeps = childrenOf(child.pid);
      child.kill('SIGKILL');
      for (const pid of sleeps) killQuietly(pid);
    }
  }
}

function childrenOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function hasChild(pid: number | undefined): boolean {
  return childrenOf(pid).length > 0;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
