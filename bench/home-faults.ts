// Faults of the home: how soon the CLI exits naming the cause and the fix when no daemon can
// serve it — a database damaged inside (a valid header, broken pages), a home on a read-only
// file system with a database in it, a new job on a full disk — CLI start included.
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stopDaemon } from '../src/daemon/lifecycle.js';
import { cleanupHome, killProcessesOf, makeHome, type BenchHome } from './home.js';
import { latencyFigure, type Figure } from './report.js';
import { fillUp } from '../test/helpers/fill-disk.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROUNDS = 5;
const PAGE = 4096;

/** The three figures; the two that need a mount (root) are left out where none can be made. */
export async function measureHomeRefusals(): Promise<Figure[]> {
  const figures = [await measureDamaged()];
  for (const measure of [measureReadOnly, measureFullDisk]) {
    const figure = await measure().catch((error: unknown) => {
      console.error(`bench: ${String(error).split('\n')[0]} (figure left out)`);
      return undefined;
    });
    if (figure !== undefined) figures.push(figure);
  }
  return figures;
}

async function measureDamaged(): Promise<Figure> {
  const bench = makeHome('damaged');
  try {
    await homeWithJobs(bench);
    const database = join(bench.home, 'bgjobs.db');
    const pages = statSync(database).size / PAGE;
    const fd = openSync(database, 'r+');
    writeSync(fd, Buffer.alloc(PAGE * (pages - 2), 0xa5), 0, PAGE * (pages - 2), PAGE);
    closeSync(fd);
    return latencyFigure({
      id: 'damaged_db_cli_error_ms',
      label: 'database damaged inside → `bgjobs ls` exits saying so (CLI start included)',
      samples: await timeRefusal(bench, ['ls'], /is corrupt/),
      limitMs: 1000,
    });
  } finally {
    await cleanupHome(bench);
  }
}

async function measureReadOnly(): Promise<Figure> {
  const bench = makeHome('readonly');
  try {
    await homeWithJobs(bench);
    execFileSync('mount', ['--bind', bench.home, bench.home], { stdio: 'pipe' });
    try {
      execFileSync('mount', ['-o', 'remount,ro,bind', bench.home]);
      return latencyFigure({
        id: 'readonly_home_cli_error_ms',
        label: 'read-only home with a database → `bgjobs ls` exits saying so (CLI start included)',
        samples: await timeRefusal(bench, ['ls'], /read-only file system/),
        limitMs: 1000,
      });
    } finally {
      execFileSync('umount', [bench.home]);
    }
  } finally {
    await cleanupHome(bench);
  }
}

async function measureFullDisk(): Promise<Figure> {
  const bench = makeHome('fulldisk');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', bench.home], { stdio: 'pipe' });
  const inner = { ...bench, home: join(bench.home, 'home') };
  inner.env = { ...bench.env, BGJOBS_HOME: inner.home };
  try {
    mkdirSync(inner.home, { mode: 0o700 });
    await homeWithJobs(inner);
    fillUp(join(bench.home, 'ballast'));
    return latencyFigure({
      id: 'full_disk_run_refused_ms',
      label: 'full disk, no daemon → `bgjobs run` exits saying so (CLI start included)',
      samples: await timeRefusal(inner, ['run', 'echo', 'hi'], /is full: 0 B free/),
      limitMs: 1000,
    });
  } finally {
    await stopDaemon(inner.config).catch(() => undefined);
    await killProcessesOf(inner.home);
    execFileSync('umount', [bench.home]);
    await cleanupHome(bench);
  }
}

/** A database with a few jobs in it, its daemon stopped (so the next command must start one). */
async function homeWithJobs(bench: BenchHome): Promise<void> {
  for (let i = 0; i < 3; i++) await runCli(bench, ['run', '--wait', 'echo', String(i)]);
  await runCli(bench, ['daemon', 'stop']);
}

/** The CLI's time to exit, ROUNDS times; each run must have said what SAYS matches. */
async function timeRefusal(bench: BenchHome, args: string[], says: RegExp): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const began = performance.now();
    const { code, stderr } = await runCli(bench, args);
    times.push(performance.now() - began);
    if (code === 0 || !says.test(stderr)) {
      throw new Error(`bgjobs ${args.join(' ')} did not refuse as expected: ${stderr}`);
    }
  }
  return times;
}

function runCli(bench: BenchHome, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: bench.env }, (_e, _o, stderr) =>
      resolve({ code: child.exitCode ?? -1, stderr }),
    );
  });
}
