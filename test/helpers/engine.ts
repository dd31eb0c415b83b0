// An in-process engine over a fresh BGJOBS_HOME, and a way to look for a job's processes.
import { readdirSync, readFileSync } from 'node:fs';

import type { PreparedJob } from '../../src/engine/admission/prepare.js';
import { Engine } from '../../src/engine/engine.js';
import type { Caller } from '../../src/api/caller.js';
import { makeHome, type TestHome } from './home.js';

export interface EngineHarness extends TestHome {
  engine: Engine;
  caller: Caller;
  /** Reopens the engine on the same home, as a restarted daemon would. */
  reopen: () => Promise<Engine>;
  close: () => Promise<void>;
}

export async function openEngine(settings: Record<string, string> = {}): Promise<EngineHarness> {
  const home = makeHome(settings);
  let engine = await Engine.open(home.config());
  const caller: Caller = { cwd: process.cwd(), env: home.env, reader: 'test' };
  const harness: EngineHarness = {
    ...home,
    caller,
    get engine() {
      return engine;
    },
    reopen: async () => {
      await engine.close();
      engine = await Engine.open(home.config());
      return engine;
    },
    close: async () => {
      // The test's processes end even when closing the engine fails.
      try {
        await engine.close();
      } finally {
        await home.cleanup();
      }
    },
  };
  return harness;
}

/**
 * Pids of live processes carrying MARKER: a unique string per test, given to a job as the
 * environment variable BGJOBS_TEST_MARKER, which every process of its tree inherits.
 */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.[0];
      if (cmdline.includes(`BGJOBS_TEST_MARKER=${marker}`) && state !== 'Z')
        pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

export function uniqueMarker(): string {
  return `bgjobs-marker-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What `prepare` would work out for a plain `true` in DIR: a fixture for a job record. */
export function preparedJob(dir: string, env: Record<string, string> = {}): PreparedJob {
  return {
    command: 'true',
    cwd: dir,
    env,
    envOverrides: {},
    name: null,
    timeoutS: null,
    ready: null,
    restart: null,
    port: null,
    pty: null,
    lifetime: 'persistent',
    owner: null,
    project: null,
  };
}
