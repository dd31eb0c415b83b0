// A private BGJOBS_HOME per measurement, and a cleanup that leaves no daemon, job or process.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, type Config } from '../src/config.js';
import { connect, type DaemonClient } from '../src/daemon/client.js';
import { startDaemon, stopDaemon } from '../src/daemon/lifecycle.js';
import { ErrorCode, isBgError } from '../src/api/errors.js';
import { killProcessesWithEnv, processesWithEnv } from '../src/procfs/proc.js';

export interface BenchHome {
  home: string;
  /** The environment of everything started for this home: the bench's, plus its settings. */
  env: Record<string, string>;
  config: Config;
}

/** Makes a temp home. SETTINGS are daemon-wide settings (BGJOBS_MAX_JOBS…) for its daemon. */
export function makeHome(label: string, settings: Record<string, string> = {}): BenchHome {
  const home = realpathSync(mkdtempSync(join(tmpdir(), `bgjobs-bench-${label}-`)));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  // The daemon must not stop for idleness between two steps of a measurement.
  Object.assign(env, { BGJOBS_HOME: home, BGJOBS_IDLE_TIMEOUT: '900' }, settings);
  const bench = { home, env, config: loadConfig(env) };
  open.add(bench);
  return bench;
}

// Every home not yet cleaned up, so an interrupted bench can still clean up after itself.
const open = new Set<BenchHome>();

/** Cleans up every home still open (after a failure or an interrupt). */
export async function cleanupAllHomes(): Promise<void> {
  for (const bench of [...open]) await cleanupHome(bench);
}

/**
 * Starts this home's daemon with the home's settings and connects to it. Daemon-wide settings
 * come from the environment of whoever starts the daemon, so the bench starts it explicitly
 * (with `env`) and never lets the client start one on its own (`autoStart: false`).
 */
export async function startAndConnect(
  bench: BenchHome,
): Promise<{ client: DaemonClient; daemonPid: number }> {
  const { pid } = await startDaemon(bench.config, { env: bench.env });
  const client = await connect(bench.config, { autoStart: false });
  return { client, daemonPid: pid };
}

/**
 * Ends everything of this home: every live job through the API (when a client is given),
 * the daemon, then any process still carrying BGJOBS_HOME=home (by pid), then the folder.
 */
export async function cleanupHome(bench: BenchHome, client?: DaemonClient): Promise<void> {
  if (client) {
    try {
      await killLiveJobs(client);
    } catch (error) {
      // No daemon (a step stopped it on purpose): its jobs are ended by pid below.
      if (!isBgError(error) || error.code !== ErrorCode.daemonUnavailable) {
        console.error(`bench: killing the jobs of ${bench.home} failed: ${String(error)}`);
      }
    }
    client.close();
  }
  try {
    await stopDaemon(bench.config);
  } catch (error) {
    console.error(`bench: stopping the daemon of ${bench.home} failed: ${String(error)}`);
  }
  await killProcessesOf(bench.home);
  rmSync(bench.home, { recursive: true, force: true });
  open.delete(bench);
}

/** Kills every queued or running job, twenty at a time. */
export async function killLiveJobs(client: DaemonClient): Promise<void> {
  for (;;) {
    const live = await client.list({ status: ['queued', 'running'], limit: 1000 });
    if (live.jobs.length === 0) return;
    for (let i = 0; i < live.jobs.length; i += 20) {
      await Promise.all(
        live.jobs
          .slice(i, i + 20)
          .map((job) => client.kill({ job_id: job.job_id, signal: 'SIGKILL', grace_s: 0 })),
      );
    }
  }
}

/** Pids of live processes whose environment has BGJOBS_HOME=home (jobs, monitors, daemon). */
export function processesOf(home: string): number[] {
  return processesWithEnv(`BGJOBS_HOME=${home}`);
}

/** Ends, by pid, every process started with this home. */
export function killProcessesOf(home: string): Promise<void> {
  return killProcessesWithEnv(`BGJOBS_HOME=${home}`);
}
