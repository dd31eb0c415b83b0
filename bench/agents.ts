// Background agents: change → run start beyond the debounce, arming a watch on a tree of
// 100,000 files (time, the daemon's CPU for it, and its RSS, beside its RSS idle), and the
// daemon's CPU with 20 idle armed agents.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { DaemonClient } from '../src/daemon/client.js';
import { cleanupHome, makeHome, startAndConnect, type BenchHome } from './home.js';
import { rssMb } from './proc-mem.js';
import { latencyFigure, type Figure } from './report.js';
import { summarize } from './stats.js';

const DEBOUNCE_MS = 100;
const CHANGES = 15;
// Changes as a person makes them, apart: @parcel/watcher hands a change over at once after
// 500 ms of quiet, and batches one that comes sooner for 50 ms more (its own Debounce).
const CHANGE_GAP_MS = 700;
const TREE_FILES = 100_000;
const ARMS = 5;
const IDLE_AGENTS = 20;
// The target speaks of a minute of nothing with 20 agents armed; the daemon without agents is
// measured first, over half a minute, as the second figure.
const IDLE_WINDOW_MS = 60_000;
const BASELINE_WINDOW_MS = 30_000;
// Arming leaves a little behind (the probes' walks, a GC of what arming made): not idle yet.
const SETTLE_MS = 5000;

export async function measureAgents(): Promise<Figure[]> {
  const figures: Figure[] = [];
  // Each measurement on a daemon of its own, so one's leftovers do not weigh on the next.
  for (const [label, measure] of [
    ['agents-idle', idleCpu],
    ['agents-latency', changeToRun],
    ['agents-tree', armBigTree],
  ] as const) {
    const bench = makeHome(label);
    const { client, daemonPid } = await startAndConnect(bench);
    try {
      figures.push(...(await measure(client, bench, daemonPid)));
    } finally {
      await cleanupHome(bench, client);
    }
  }
  return figures;
}

async function newestRun(
  client: DaemonClient,
  agent: string,
  after: number,
): Promise<number | undefined> {
  const { jobs } = await client.list({ agent, limit: 1, all: true });
  const created = jobs[0] ? Date.parse(jobs[0].created_at) : undefined;
  return created !== undefined && created >= after ? created : undefined;
}

async function changeToRun(client: DaemonClient, bench: BenchHome): Promise<Figure[]> {
  const dir = join(bench.home, 'watched');
  mkdirSync(dir);
  await client.agents.agent_start(
    { name: 'latency', command: 'true', watch: '*.txt', debounce_ms: DEBOUNCE_MS, cwd: dir },
    { caller: { cwd: dir, env: bench.env } },
  );
  const samples: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const before = Date.now();
    writeFileSync(join(dir, `f${i}.txt`), String(i));
    let created: number | undefined;
    while ((created = await newestRun(client, 'latency', before)) === undefined) await delay(5);
    samples.push(created - before - DEBOUNCE_MS);
    await delay(CHANGE_GAP_MS);
  }
  const s = summarize(samples);
  return [
    {
      id: 'agent_change_to_run_ms',
      label: 'agent: file change → run started, beyond the debounce (median)',
      value: Math.round(s.p50),
      unit: 'ms',
      target: { kind: 'max', limit: 50, on: 'value' },
      details: `n=${s.n}, debounce ${DEBOUNCE_MS} ms, changes ${CHANGE_GAP_MS} ms apart, p90 ${Math.round(s.p90)} ms, max ${Math.round(s.max)} ms`,
    },
  ];
}

async function armBigTree(
  client: DaemonClient,
  bench: BenchHome,
  daemonPid: number,
): Promise<Figure[]> {
  const idleRss = rssMb(daemonPid) ?? Number.NaN;
  const root = join(bench.home, 'tree');
  for (let a = 0; a < 100; a++) {
    for (let b = 0; b < 10; b++) {
      const dir = join(root, `p${a}`, `q${b}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < TREE_FILES / 1000; f++) writeFileSync(join(dir, `m${f}.ts`), '');
    }
  }
  // Armed, removed and armed again: each arming walks the whole tree anew.
  const samples: number[] = [];
  const armCpuMs: number[] = [];
  for (let i = 0; i < ARMS; i++) {
    if (i > 0) await client.agents.agent_stop({ name: 'tree', remove: true });
    const cpuBefore = cpuMs(daemonPid);
    const began = performance.now();
    await client.agents.agent_start(
      { name: 'tree', command: 'true', watch: '**/*.ts', cwd: root },
      { caller: { cwd: root, env: bench.env } },
    );
    samples.push(performance.now() - began);
    armCpuMs.push(cpuMs(daemonPid) - cpuBefore);
  }
  // The glob probe walks the tree in the background; measure once it is done.
  await delay(3000);
  const rss = rssMb(daemonPid) ?? Number.NaN;
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  return [
    latencyFigure({
      id: 'agent_arm_100k_ms',
      label: 'agent: arm a watch on 100,000 files (1,100 folders)',
      samples,
      limitMs: 2000,
      note: `daemon CPU per arming (median) ${Math.round(summarize(armCpuMs).p50)} ms; load average ${load}`,
    }),
    {
      id: 'agent_arm_100k_rss_mb',
      label: 'agent: daemon RSS with that watch armed',
      value: Math.round(rss),
      unit: 'MB',
      target: { kind: 'max', limit: 150, on: 'value' },
      details: `after ${ARMS} armings; the same daemon idle before: ${Math.round(idleRss)} MB`,
    },
    {
      id: 'daemon_idle_rss_mb',
      label: 'daemon RSS idle (no job, no agent, one client)',
      value: Math.round(idleRss),
      unit: 'MB',
    },
  ];
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime, the 14th and 15th fields, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function idleCpu(
  client: DaemonClient,
  bench: BenchHome,
  daemonPid: number,
): Promise<Figure[]> {
  await delay(SETTLE_MS);
  const baseline = await cpuOver(daemonPid, BASELINE_WINDOW_MS);
  for (let i = 0; i < IDLE_AGENTS; i++) {
    const dir = join(bench.home, `idle${i}`);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const trigger = i % 2 === 0 ? { watch: 'src/**' } : { every: '1h' };
    await client.agents.agent_start(
      { name: `idle${i}`, command: 'true', cwd: dir, ...trigger },
      { caller: { cwd: dir, env: bench.env } },
    );
  }
  await delay(SETTLE_MS);
  const used = await cpuOver(daemonPid, IDLE_WINDOW_MS);
  const pct = (ms: number, of: number): number => Math.round((ms / of) * 10_000) / 100;
  const load = loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
  return [
    {
      id: 'agent_idle_cpu_pct',
      label: `agent: daemon CPU with ${IDLE_AGENTS} idle armed agents, over a minute`,
      value: pct(used, IDLE_WINDOW_MS),
      unit: '%',
      target: { kind: 'max', limit: 1, on: 'value' },
      details: `${used} ms of CPU (utime+stime) over ${IDLE_WINDOW_MS / 1000} s, from ${SETTLE_MS / 1000} s after the last was armed; 10 watch, 10 every 1h; load average ${load}`,
    },
    {
      id: 'daemon_idle_cpu_pct',
      label: 'daemon CPU with no agent and no job',
      value: pct(baseline, BASELINE_WINDOW_MS),
      unit: '%',
      target: { kind: 'max', limit: 1, on: 'value' },
      details: `${baseline} ms of CPU over ${BASELINE_WINDOW_MS / 1000} s, the same daemon before the agents`,
    },
  ];
}

async function cpuOver(pid: number, ms: number): Promise<number> {
  const before = cpuMs(pid);
  await delay(ms);
  return cpuMs(pid) - before;
}
