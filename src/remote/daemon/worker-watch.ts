import { setTimeout as delay } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import type { WireKeys } from '../wire.js';
import { claimedBy, type WorkerLiveness } from './liveness.js';

/** What the watch needs of a followed run: its key and the worker that has it, if known. */
export interface WatchedRun {
  run: string;
  worker: { name: string; host: string } | null;
}

/**
 * Every `everyMs` until SIGNAL aborts: which workers stopped beating; their runs are LOST. A
 * run claimed but not yet announced belongs to its worker too. While Redis cannot be read,
 * nobody is judged, and the silence is counted again from when it can.
 */
export async function watchWorkers<T extends WatchedRun>(options: {
  liveness: WorkerLiveness;
  redis: Redis;
  keys: WireKeys;
  signal: AbortSignal;
  everyMs: number;
  runs: () => T[];
  lose: (run: T, reason: string) => Promise<void>;
}): Promise<void> {
  let blind = false;
  while (!options.signal.aborted) {
    try {
      if (blind) options.liveness.forgive();
      await judge(options);
      blind = false;
    } catch {
      blind = true;
    }
    await delay(options.everyMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

async function judge<T extends WatchedRun>(options: {
  liveness: WorkerLiveness;
  redis: Redis;
  keys: WireKeys;
  runs: () => T[];
  lose: (run: T, reason: string) => Promise<void>;
}): Promise<void> {
  const { liveness } = options;
  const unknown = options.runs().filter((entry) => entry.worker === null);
  const claimed = await claimedBy(
    options.redis,
    options.keys,
    unknown.map((entry) => entry.run),
  );
  unknown.forEach((entry, index) => {
    const name = claimed[index];
    if (name) entry.worker = { name, host: '' };
  });
  const byWorker = new Map<string, T[]>();
  for (const entry of options.runs()) {
    if (entry.worker)
      byWorker.set(entry.worker.name, [...(byWorker.get(entry.worker.name) ?? []), entry]);
  }
  const gone = await liveness.check(byWorker.keys());
  for (const [name, silentMs] of gone) {
    for (const entry of byWorker.get(name) ?? []) {
      const where = entry.worker?.host ? ` on ${entry.worker.host}` : '';
      const silent = Math.round(silentMs / 1000);
      await options.lose(
        entry,
        `its worker ${name}${where} sent no heartbeat for ${silent} s; the job's outcome is unknown`,
      );
    }
    liveness.forget(name);
  }
}
