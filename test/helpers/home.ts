// A private BGJOBS_HOME per test, and a cleanup that leaves no daemon, job or process behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { loadConfig, type Config } from '../../src/config.js';
import { removeHomeCgroups } from '../../src/procfs/cgroup.js';
import { killProcessesWithEnv, processesWithEnv } from '../../src/procfs/proc.js';

export interface TestHome {
  home: string;
  /** The environment for anything this test starts: the test's own BGJOBS_HOME. */
  env: Record<string, string>;
  config: (extra?: Record<string, string>) => Config;
  /** Ends every process started with this home (by pid), then removes the folder. */
  cleanup: () => Promise<void>;
}

export function makeHome(extraEnv: Record<string, string> = {}): TestHome {
  const home = mkdtempSync(join(tmpdir(), 'bgjobs-test-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, { BGJOBS_HOME: home, BGJOBS_IDLE_TIMEOUT: '30' }, extraEnv);
  return {
    home,
    env,
    config: (extra = {}) => loadConfig({ ...env, ...extra }),
    cleanup: async () => {
      await killProcessesOf(home);
      removeHomeCgroups(home);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Pids of live processes whose environment has BGJOBS_HOME=home (jobs, monitors, daemon). */
export function processesOf(home: string): number[] {
  return processesWithEnv(`BGJOBS_HOME=${home}`);
}

/** Ends, by pid, every process started with this home. */
export function killProcessesOf(home: string): Promise<void> {
  return killProcessesWithEnv(`BGJOBS_HOME=${home}`);
}

/** Polls CHECK until it returns a value (not undefined/false) or the deadline passes. */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}
