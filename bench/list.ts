// Figure 5: `list` through the daemon's socket with 1,000 real jobs in the store.
import type { DaemonClient } from '../src/daemon/client.js';
import { stopDaemon } from '../src/daemon/lifecycle.js';
import type { JobsApi } from '../src/api/contract.js';
import { Engine } from '../src/engine/engine.js';
import type { BenchHome } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, summarize } from './stats.js';

const JOBS = 1000;
const BATCH = 50;
const WARMUP = 10;
const CALLS = 100;
const STATUS_CALLS = 1000;

/**
 * Creates JOBS real `true` jobs, BATCH at a time, waiting for each batch to end. Then times
 * `list` as a model calls it (default limit 50, newest first) and asking for all 1,000, through
 * the socket client (which also validates every reply with zod, as the MCP server's client
 * does). Baseline: the same `list` when the store held only the first batch. Then, to show
 * where the time goes, the same calls on an in-process Engine opened on the same home.
 */
export async function measureList(client: DaemonClient, bench: BenchHome): Promise<Figure[]> {
  let small: { page: number[]; all: number[] } | undefined;
  for (let made = 0; made < JOBS; made += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: BATCH }, () => client.execute({ command: 'true' })),
    );
    const waited = await client.wait({ job_ids: batch.map((job) => job.job_id), timeout_s: 50 });
    if (!waited.done) throw new Error('bench: a batch of `true` jobs did not end within 50 s');
    small ??= await timeLists(client, BATCH);
  }
  const { total } = await client.list({ limit: 1 });
  if (total !== JOBS) throw new Error(`bench: the store holds ${total} jobs, not ${JOBS}`);
  const big = await timeLists(client, JOBS);
  client.close();
  await stopDaemon(bench.config);
  const engine = await Engine.open(bench.config);
  let local: { page: number[]; all: number[] };
  let statuses: number[];
  try {
    local = await timeLists(engine, JOBS);
    statuses = await timeStatus(engine);
  } finally {
    await engine.close();
  }

  const page = summarize(big.page);
  const all = summarize(big.all);
  return [
    {
      id: 'list_default_1000_ms',
      label: `list (default limit 50) with ${JOBS} jobs`,
      value: page.p50,
      unit: 'ms',
      baseline: { label: `with ${BATCH} jobs`, value: summarize(small?.page ?? []).p50 },
      target: { kind: 'max', limit: 20, on: 'value' },
      details: describeSummary(page, 3),
    },
    {
      id: 'list_all_1000_ms',
      label: `list limit 1000 with ${JOBS} jobs`,
      value: all.p50,
      unit: 'ms',
      baseline: { label: `all ${BATCH} jobs`, value: summarize(small?.all ?? []).p50 },
      target: { kind: 'max', limit: 20, on: 'value' },
      details: describeSummary(all, 3),
    },
    {
      id: 'list_all_1000_engine_ms',
      label: `  breakdown: list limit 1000 (in-process engine)`,
      value: summarize(local.all).p50,
      unit: 'ms',
      details: `${describeSummary(summarize(local.all), 3)}; default limit ${summarize(local.page).p50.toFixed(3)} ms`,
    },
    {
      id: 'status_engine_us',
      label: `  breakdown: status of one job (in-process engine)`,
      value: summarize(statuses).p50,
      unit: 'µs',
      details: describeSummary(summarize(statuses), 1),
    },
  ];
}

/** `status` of the newest job, STATUS_CALLS times after as many to warm up, in µs each. */
async function timeStatus(engine: Engine): Promise<number[]> {
  const [newest] = (await engine.list({ limit: 1 })).jobs;
  if (newest === undefined) throw new Error('bench: no job to ask the status of');
  const times: number[] = [];
  for (let i = 0; i < 2 * STATUS_CALLS; i++) {
    const began = performance.now();
    await engine.status({ job_id: newest.job_id });
    if (i >= STATUS_CALLS) times.push((performance.now() - began) * 1000);
  }
  return times;
}

async function timeLists(
  client: JobsApi,
  expected: number,
): Promise<{ page: number[]; all: number[] }> {
  const page: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    let began = performance.now();
    await client.list({});
    if (i >= WARMUP) page.push(performance.now() - began);
    began = performance.now();
    const listed = await client.list({ limit: 1000 });
    if (i >= WARMUP) all.push(performance.now() - began);
    if (listed.jobs.length !== expected) {
      throw new Error(`bench: list returned ${listed.jobs.length} jobs, expected ${expected}`);
    }
  }
  return { page, all };
}
