// A private BGJOBS_HOME per test, and a cleanup that leaves no daemon, job or process behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { loadConfig, type Config } from '../../src/config.js';

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
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Pids of live processes whose environment has BGJOBS_HOME=home (jobs, monitors, daemon). */
export function processesOf(home: string): number[] {
  const wanted = `BGJOBS_HOME=${home}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.[0];
      if (environ.includes(wanted) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

export async function killProcessesOf(home: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = processesOf(home);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await delay(20);
  }
  throw new Error(`processes of ${home} would not die: ${processesOf(home).join(', ')}`);
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
