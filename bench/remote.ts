// Workers on other machines, measured on this one: one redis-server, three `bgjobs worker`
// processes with homes of their own, and a daemon with BGJOBS_REDIS_URL. Everything it starts
// it ends: the jobs through the daemon, the workers by pid, Redis by pid, the homes removed.
import { setTimeout as delay } from 'node:timers/promises';

import type { DaemonClient } from '../src/daemon/client.js';
import { isSameProcess, procStat } from '../src/procfs/proc.js';
import { cleanupHome, killLiveJobs, makeHome, startAndConnect } from './home.js';
import { rssMb } from './proc-mem.js';
import { runningOn, startRedis, startWorker, until, type BenchWorker } from './remote-setup.js';
import { latencyFigure, type Figure } from './report.js';
import { median, nsToMs, wallNowMs } from './stats.js';

const SHORT_JOBS = 1000;
const WORKERS = 3;
/** Slots per worker; the local run gets the same in all (BGJOBS_MAX_JOBS). */
const SLOTS = 10;
const LINES = 40;
const KILLS = 15;
const HELD_JOBS = 100;

export async function measureRemote(): Promise<Figure[]> {
  const redis = await startRedis();
  const workers: BenchWorker[] = [];
  const bench = makeHome('remote', {
    BGJOBS_REDIS_URL: redis.url.href,
    BGJOBS_MAX_JOBS: String(WORKERS * SLOTS),
  });
  let client: DaemonClient | undefined;
  try {
    for (let i = 1; i <= WORKERS; i++) {
      workers.push(await startWorker(redis, `bench-w${i}`, ['bench'], SLOTS));
    }
    client = (await startAndConnect(bench)).client;
    const figures = [
      ...(await throughput(client)),
      await lineLatency(client),
      await killLatency(client),
    ];
    await killLiveJobs(client);
    for (const worker of workers.splice(0)) await worker.stop();
    workers.push(await startWorker(redis, 'bench-mem', ['mem'], HELD_JOBS));
    figures.push(await workerMemory(client, redis, workers[0]!));
    return figures;
  } finally {
    if (client) await killLiveJobs(client).catch(() => undefined);
    for (const worker of workers) await worker.stop();
    await cleanupHome(bench, client);
    await redis.stop();
  }
}

/** 1,000 `true` jobs run here, then the same 1,000 spread over the workers: jobs per second. */
async function throughput(client: DaemonClient): Promise<Figure[]> {
  const local = await runAll(client, undefined);
  const remote = await runAll(client, 'bench');
  return [
    {
      id: 'remote_jobs_per_s',
      label: `${SHORT_JOBS} short jobs over ${WORKERS} workers (${SLOTS} slots each)`,
      value: remote,
      unit: 'jobs/s',
      baseline: { label: `the same ${SHORT_JOBS} here (${WORKERS * SLOTS} slots)`, value: local },
      details:
        'submitted 50 at a time over the daemon socket; from the first submit to the last end',
    },
  ];
}

async function runAll(client: DaemonClient, on: string | undefined): Promise<number> {
  const began = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < SHORT_JOBS; i += 50) {
    const batch = Array.from({ length: Math.min(50, SHORT_JOBS - i) }, () =>
      client.execute({ command: 'true', ...(on === undefined ? {} : { on }) }),
    );
    ids.push(...(await Promise.all(batch)).map((job) => job.job_id));
  }
  for (let i = 0; i < ids.length; i += 100) {
    const job_ids = ids.slice(i, i + 100);
    for (;;) {
      const waited = await client.wait({ job_ids, timeout_s: 50 });
      if (waited.done) {
        const failed = waited.jobs.filter((job) => job.status !== 'completed');
        if (failed.length > 0) throw new Error(`bench: ${failed.length} jobs did not complete`);
        break;
      }
    }
  }
  return SHORT_JOBS / ((performance.now() - began) / 1000);
}

/** A remote job prints its clock every 100 ms; each line is looked for through `output`. */
async function lineLatency(client: DaemonClient): Promise<Figure> {
  const { job_id } = await client.execute({
    command: `sleep 1; for i in $(seq ${LINES}); do date +%s%N; sleep 0.1; done`,
    on: 'bench',
  });
  const samples: number[] = [];
  let offset = 0;
  let partial = '';
  while (samples.length < LINES) {
    const read = await client.output({ job_id, stream: 'stdout', stdout_offset: offset });
    const now = wallNowMs();
    offset = read.stdout_read?.next_offset ?? offset;
    const lines = (partial + read.stdout).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') samples.push(now - nsToMs(line));
    if (read.status !== 'running' && lines.length === 0 && samples.length < LINES) {
      throw new Error(`bench: the line job ended (${read.status}) after ${samples.length} lines`);
    }
    await delay(1);
  }
  return latencyFigure({
    id: 'remote_line_to_output_ms',
    label: 'line written by a remote job → readable through output',
    samples,
    limitMs: 50,
    note: 'output polled every ~1 ms',
  });
}

/** `kill` of a remote `sleep` → its process gone, watched from here (the same machine). */
async function killLatency(client: DaemonClient): Promise<Figure> {
  const samples: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const { job_id } = await client.execute({ command: 'echo $$; exec sleep 600', on: 'bench' });
    let pid = Number.NaN;
    await until(async () => {
      pid = Number.parseInt((await client.output({ job_id, stream: 'stdout' })).stdout, 10);
      return Number.isInteger(pid);
    }, 30_000);
    const start = procStat(pid)?.startTime ?? null;
    const began = performance.now();
    const killing = client.kill({ job_id, grace_s: 5 });
    while (isSameProcess(pid, start)) await delay(1);
    samples.push(performance.now() - began);
    await killing;
  }
  return latencyFigure({
    id: 'remote_kill_gone_ms',
    label: 'kill of a remote job → its process gone',
    samples,
    limitMs: 200,
  });
}

/** One worker holding 100 running `sleep` jobs: its RSS, against itself idle. */
async function workerMemory(
  client: DaemonClient,
  redis: Awaited<ReturnType<typeof startRedis>>,
  worker: BenchWorker,
): Promise<Figure> {
  const pid = worker.child.pid!;
  await delay(2000);
  const idle = rssMb(pid) ?? Number.NaN;
  await Promise.all(
    Array.from({ length: HELD_JOBS }, () => client.execute({ command: 'sleep 600', on: 'mem' })),
  );
  await until(async () => (await runningOn(redis, worker.name)) === HELD_JOBS, 120_000);
  // Settled: a few seconds of pumping and heartbeats with every run followed.
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(rssMb(pid) ?? Number.NaN);
    await delay(250);
  }
  return {
    id: 'remote_worker_rss_mb',
    label: `worker RSS with ${HELD_JOBS} running jobs`,
    value: median(samples),
    unit: 'MB',
    baseline: { label: 'the same worker idle', value: idle },
    details: `median of 20 samples over 5 s; max ${Math.max(...samples).toFixed(1)}`,
  };
}
