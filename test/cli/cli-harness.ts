// Runs the built CLI (`node dist/bin.cjs`, package.json's bin) against a real daemon in a fresh BGJOBS_HOME, and
// tears everything down afterwards: every job it started is killed, the daemon stopped, the
// folder removed.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { killProcessesOf } from '../helpers/home.js';

export const CLI = resolve(import.meta.dirname, '../../dist/bin.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** The test process's environment without any bgjobs setting, so only the test's apply. */
function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('BGJOBS_') && !key.startsWith('MCP_BG_')) env[key] = value;
  }
  return { ...env, BGJOBS_HOME: home, ...extra };
}

/** Runs `bgjobs <args>` to completion; never rejects on a non-zero exit. */
export function cli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: cleanEnv(home, options.env),
        cwd: options.cwd ?? home,
        timeout: options.timeoutMs ?? 30_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          return reject(new Error(`bgjobs ${args.join(' ')} did not exit`, { cause: error }));
        }
        resolvePromise({ code: child.exitCode ?? -1, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Starts `bgjobs <args>` and returns at once, for verbs that run a while (`logs -f`). */
export function spawnCli(home: string, args: string[], options: CliOptions = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv(home, options.env),
    cwd: options.cwd ?? home,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (seen.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (seen.stderr += chunk.toString()));
  const exited = new Promise<number>((resolvePromise) =>
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? -1 : 0))),
  );
  return { child, seen, exited };
}

/** Polls `check` until it returns something truthy, or fails after `timeoutMs`. */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(50);
  }
}

/** A fresh BGJOBS_HOME; short, because the daemon's socket path lives inside it. */
export function makeHome(): string {
  return mkdtempSync(join(tmpdir(), 'bgj-cli-'));
}

/** Starts a job and returns its id. */
export async function runJob(home: string, args: string[]): Promise<string> {
  const result = await cli(home, ['run', ...args]);
  if (result.code !== 0) throw new Error(`run failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Kills every live job, stops the daemon and removes the home; throws if a daemon survives. */
export async function teardown(home: string): Promise<void> {
  try {
    const listed = await cli(home, ['ls', '--all', '--json', '--status', 'queued,running']);
    if (listed.code === 0) {
      const { jobs } = JSON.parse(listed.stdout) as { jobs: { job_id: string }[] };
      for (const job of jobs) await cli(home, ['kill', job.job_id, '--grace', '1']);
    }
    await cli(home, ['daemon', 'stop']);
    const status = await cli(home, ['daemon', 'status', '--json']);
    const { running, pid } = JSON.parse(status.stdout) as { running: boolean; pid?: number };
    if (running) {
      // Fail the test, but leave nothing behind.
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      throw new Error(`the daemon of ${home} (pid ${pid}) survived \`bgjobs daemon stop\``);
    }
  } finally {
    // Whatever a test left that `daemon stop` could not reach (a daemon whose socket it
    // deleted, a job's escapee) is ended by pid before its home goes.
    await killProcessesOf(home);
    rmSync(home, { recursive: true, force: true });
  }
}
