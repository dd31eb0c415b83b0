// Figure 3: `tail 100` at 1 MiB, 100 MiB and 1 GiB of output, over the socket and in-process.
import type { DaemonClient } from '../src/daemon/client.js';
import { stopDaemon } from '../src/daemon/lifecycle.js';
import type { JobsApi } from '../src/api/contract.js';
import { Engine } from '../src/engine/engine.js';
import { runThroughBgjobs } from './flood.js';
import type { BenchHome } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, summarize } from './stats.js';

const MIB = 1024 * 1024;
const WARMUP = 20;
const CALLS = 200;
const LINES = 100;

interface Sized {
  label: string;
  key: string;
  jobId: string;
}

/**
 * Makes the 1 MiB and 100 MiB jobs (the 1 GiB one comes from the flood), times `tail` with
 * lines: 100 on each through the daemon's socket, then stops the daemon and times the same
 * calls on an in-process Engine opened on the same home. All jobs have ended, so the figures
 * are reads of a settled file: the kept window is the last 10 MB whatever was written.
 */
export async function measureTail(
  client: DaemonClient,
  bench: BenchHome,
  gibJobId: string,
): Promise<Figure[]> {
  const jobs: Sized[] = [
    { label: '1 MiB', key: '1mib', jobId: (await runThroughBgjobs(client, MIB)).jobId },
    { label: '100 MiB', key: '100mib', jobId: (await runThroughBgjobs(client, 100 * MIB)).jobId },
    { label: '1 GiB', key: '1gib', jobId: gibJobId },
  ];
  const overSocket = await timeTails(client, jobs);

  client.close();
  await stopDaemon(bench.config);
  const engine = await Engine.open(bench.config);
  let inProcess: number[][];
  try {
    inProcess = await timeTails(engine, jobs);
  } finally {
    await engine.close();
  }

  const figures: Figure[] = [];
  for (const [via, key, times] of [
    ['daemon socket', 'socket', overSocket],
    ['in-process engine', 'engine', inProcess],
  ] as const) {
    const first = summarize(times[0] ?? []);
    jobs.forEach((job, i) => {
      const summary = summarize(times[i] ?? []);
      figures.push({
        id: `tail100_${key}_${job.key}_ms`,
        label: `tail 100 at ${job.label} (${via})`,
        value: summary.p50,
        unit: 'ms',
        // The 1 MiB figure is the baseline: "not growing with log size" is a ratio near 1.
        baseline: i === 0 ? undefined : { label: 'same at 1 MiB', value: first.p50 },
        target: { kind: 'max', limit: 5, on: 'value' },
        details: describeSummary(summary, 3),
      });
    });
    const last = summarize(times[jobs.length - 1] ?? []);
    figures.push({
      id: `tail100_${key}_growth`,
      label: `tail 100 growth 1 MiB → 1 GiB (${via})`,
      value: last.p50,
      unit: 'ms',
      baseline: { label: 'at 1 MiB', value: first.p50 },
      target: { kind: 'max', limit: 1.5, on: 'ratio' },
      details: 'flat = 1 GiB median within 1.5× of 1 MiB median',
    });
  }
  return figures;
}

/** Median-ready timings, one array per job, calls interleaved across sizes. */
async function timeTails(api: JobsApi, jobs: readonly Sized[]): Promise<number[][]> {
  const times: number[][] = jobs.map(() => []);
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (const [j, job] of jobs.entries()) {
      const began = performance.now();
      const result = await api.tail({ job_id: job.jobId, lines: LINES });
      const elapsed = performance.now() - began;
      if (result.stdout.split('\n').filter((line) => line !== '').length !== LINES) {
        throw new Error(`bench: tail of ${job.jobId} did not return ${LINES} lines`);
      }
      if (i >= WARMUP) times[j]?.push(elapsed);
    }
  }
  return times;
}
