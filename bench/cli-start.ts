// Figure: how long the CLI takes to start, side by side with a bare `node -e 0` (issue 10, item 5).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { cleanupHome, makeHome, startAndConnect } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const CLI = resolve(import.meta.dirname, '../dist/bin.cjs');
const WARMUP = 3;
const ROUNDS = 40;
const TARGET_RATIO = 1.3;

/** Wall time of one run of `node ARGS` to its exit, in ms; throws if it fails. */
function timeRun(args: string[], env: Record<string, string>): number {
  const began = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - began) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${String(run.stderr)}`);
  return ms;
}

/**
 * Runs `node -e 0`, `bgjobs --version` and `bgjobs ls` (against a running daemon, in a home
 * with no jobs) one after another, ROUNDS times: side by side, so a busy machine slows all
 * three alike. Each figure is its median; its ratio is the median of the per-round ratios to
 * that round's `node -e 0`.
 */
export async function measureCliStart(): Promise<Figure[]> {
  const bench = makeHome('cli-start');
  const { client } = await startAndConnect(bench);
  try {
    const cases: [keyof typeof samples, string[]][] = [
      ['node', ['-e', '0']],
      ['version', [CLI, '--version']],
      ['ls', [CLI, 'ls']],
    ];
    const samples = { node: [] as number[], version: [] as number[], ls: [] as number[] };
    // NODE_EXTRA_CA_CERTS makes every Node process parse a bundle of certificates before it
    // runs anything (some CI images set it): that would inflate the baseline and flatter the
    // ratios, so all three run without it, as on a bare machine.
    const env = { ...bench.env };
    delete env.NODE_EXTRA_CA_CERTS;
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const [name, args] of cases) {
        const ms = timeRun(args, env);
        if (round >= WARMUP) samples[name].push(ms);
      }
    }
    const baseline = { label: 'node -e 0', value: median(samples.node) };
    const figure = (name: 'version' | 'ls', label: string): Figure => {
      const ratios = samples[name].map((ms, i) => ms / (samples.node[i] ?? ms));
      return {
        id: `cli_start_${name}_ms`,
        label,
        value: median(samples[name]),
        unit: 'ms',
        baseline,
        ratio: median(ratios),
        target: { kind: 'max', limit: TARGET_RATIO, on: 'ratio' },
        details: describeSummary(summarize(samples[name]), 1),
      };
    };
    return [
      {
        id: 'cli_start_node_ms',
        label: 'node -e 0 (baseline)',
        value: baseline.value,
        unit: 'ms',
        details: describeSummary(summarize(samples.node), 1),
      },
      figure('version', 'bgjobs --version'),
      figure('ls', 'bgjobs ls (daemon running)'),
    ];
  } finally {
    await cleanupHome(bench, client);
  }
}
