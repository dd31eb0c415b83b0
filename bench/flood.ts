// Figures 2 and 4a: writing 1 GiB through bgjobs vs to a plain file, and the daemon's RSS meanwhile.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import type { DaemonClient } from '../src/daemon/client.js';
import { rssMb, RssSampler } from './proc-mem.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

export const GIB = 1024 ** 3;
const MB = 1024 * 1024;
const REPEATS = 5;

// Lines of 80 bytes, so `tail` has real lines to find. The job times its own writing, between
// two `date +%s%N` taken inside it, so process start-up is not counted on either side.
const LINE = 'bgjobs bench output line: the quick brown fox jumps over the lazy dog 0123456';

/** The shell text of a job writing BYTES of lines to stdout (or to REDIRECT), timed inside. */
export function writerCommand(bytes: number, redirect = ''): string {
  return [
    's=$(date +%s%N)',
    `yes '${LINE}' | head -c ${bytes}${redirect}`,
    'e=$(date +%s%N)',
    'echo "BENCH_TIME $s $e" >&2',
  ].join('; ');
}

/** Seconds between the two clock readings a writer job printed. */
function elapsedS(text: string): number {
  const match = /BENCH_TIME (\d+) (\d+)/.exec(text);
  if (!match) throw new Error(`bench: no timing in ${JSON.stringify(text.slice(0, 200))}`);
  return Number(BigInt(match[2] ?? '0') - BigInt(match[1] ?? '0')) / 1e9;
}

/** Runs a writer job through bgjobs and returns its throughput (MB/s) and its id. */
export async function runThroughBgjobs(
  client: DaemonClient,
  bytes: number,
): Promise<{ jobId: string; mbPerS: number; wallS: number }> {
  const began = performance.now();
  const { job_id: jobId } = await client.execute({ command: writerCommand(bytes) });
  const waited = await client.wait({ job_id: jobId, timeout_s: 50 });
  const wallS = (performance.now() - began) / 1000;
  const job = waited.jobs[0];
  if (!waited.done || job?.status !== 'completed') {
    throw new Error(`bench: writer job ${jobId} did not complete: ${JSON.stringify(waited)}`);
  }
  const status = await client.status({ job_id: jobId });
  if (status.stdout.bytes !== bytes) {
    throw new Error(`bench: job ${jobId} wrote ${status.stdout.bytes} bytes, not ${bytes}`);
  }
  const stderr = await client.output({ job_id: jobId, stream: 'stderr' });
  return { jobId, mbPerS: bytes / MB / elapsedS(stderr.stderr), wallS };
}

/** Runs the same writer straight to a plain file in DIR (or /dev/null), started by Node. */
async function runToPlainFile(
  dir: string,
  bytes: number,
  env: Record<string, string>,
  devNull = false,
): Promise<number> {
  const file = devNull ? '/dev/null' : join(dir, 'baseline-output');
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', writerCommand(bytes, ' >"$BENCH_FILE"')], {
        env: { ...env, BENCH_FILE: file },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let text = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (text += chunk));
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`bench: baseline writer exited ${code}`)),
      );
    });
    return bytes / MB / elapsedS(stderr);
  } finally {
    if (!devNull) rmSync(file, { force: true });
  }
}

export interface FloodResult {
  figures: Figure[];
  /** A completed job that wrote 1 GiB, for the tail measurement. */
  gibJobId: string;
}

/**
 * REPEATS runs of each, interleaved (/dev/null, plain file, bgjobs) so drift (page cache,
 * writeback, other load) hits all alike. Throughput is timed inside the job, so it is the
 * writing alone; execute→wait wall times are in the details. The daemon's RSS is sampled every 20 ms during the bgjobs runs only; its
 * idle RSS just before is the baseline.
 */
export async function measureFlood(
  client: DaemonClient,
  daemonPid: number,
  home: string,
  env: Record<string, string>,
): Promise<FloodResult> {
  const idleRss = rssMb(daemonPid) ?? Number.NaN;
  const sampler = new RssSampler(daemonPid);
  const plain: number[] = [];
  const through: number[] = [];
  const ceiling: number[] = [];
  const walls: number[] = [];
  let gibJobId = '';
  for (let i = 0; i < REPEATS; i++) {
    ceiling.push(await runToPlainFile(home, GIB, env, true));
    plain.push(await runToPlainFile(home, GIB, env));
    sampler.start();
    try {
      const run = await runThroughBgjobs(client, GIB);
      through.push(run.mbPerS);
      walls.push(run.wallS);
      gibJobId = run.jobId;
    } finally {
      sampler.stop();
    }
  }
  const rss = summarize(sampler.samples);
  const tput = summarize(through);
  const top = summarize(ceiling);
  return {
    gibJobId,
    figures: [
      {
        id: 'flood_throughput_mb_s',
        label: '1 GiB output throughput',
        value: tput.p50,
        unit: 'MiB/s',
        baseline: { label: 'same writer > plain file', value: median(plain) },
        // Each bgjobs run against the plain-file run just before it, so drift cancels out.
        ratio: median(through.map((value, i) => value / (plain[i] ?? Number.NaN))),
        target: { kind: 'min', limit: 0.9, on: 'ratio' },
        details: `ratio = median of ${REPEATS} side-by-side ratios; ${describeSummary(tput, 0)}; plain file ${plain.map((v) => v.toFixed(0)).join('/')}; execute→wait ${walls.map((w) => w.toFixed(2)).join('/')} s`,
      },
      {
        id: 'flood_ceiling_mb_s',
        label: '  context: same writer > /dev/null',
        value: top.p50,
        unit: 'MiB/s',
        details: `${describeSummary(top, 0)}; what the writer manages with no file at all`,
      },
      {
        id: 'daemon_rss_flood_max_mb',
        label: 'daemon RSS during 1 GiB floods (max)',
        value: rss.max,
        unit: 'MB',
        baseline: { label: 'idle daemon', value: idleRss },
        target: { kind: 'max', limit: 150, on: 'value' },
        details: `${rss.n} samples, every 20 ms over ${REPEATS} floods; min=${rss.min.toFixed(1)} p50=${rss.p50.toFixed(1)}`,
      },
      {
        id: 'daemon_rss_flood_spread_mb',
        label: 'daemon RSS spread during floods (max−min)',
        value: rss.max - rss.min,
        unit: 'MB',
        // "Flat": no growth beyond ordinary V8 heap breathing across 3 GiB of output.
        target: { kind: 'max', limit: 20, on: 'value' },
        details: `flat = within 20 MB over ${REPEATS} GiB written`,
      },
    ],
  };
}
