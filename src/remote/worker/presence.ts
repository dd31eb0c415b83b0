import type { Redis } from 'ioredis';

import { BgError, ErrorCode } from '../../api/errors.js';
import { isSameProcess, procStat } from '../../procfs/proc.js';
import { WIRE_VERSION, type WireKeys } from '../wire.js';

/** Who holds a worker name: one process on one host with one home. */
interface Owner {
  host: string;
  home: string;
  pid: number;
  start: number | null;
}

export interface PresenceInfo {
  name: string;
  host: string;
  home: string;
  labels: string[];
  concurrency: number;
  startedAt: number;
}

/**
 * Takes the worker's name for this process. A name held by a live process elsewhere is
 * refused; one left by a worker of this host and home that is gone (killed with -9) is taken
 * over, so that a restarted worker picks up its runs at once.
 */
export async function claimName(
  redis: Redis,
  keys: WireKeys,
  info: PresenceInfo,
  ttlMs: number,
): Promise<void> {
  const mine: Owner = {
    host: info.host,
    home: info.home,
    pid: process.pid,
    start: procStat(process.pid)?.startTime ?? null,
  };
  const key = keys.workerOwner(info.name);
  if ((await redis.set(key, JSON.stringify(mine), 'PX', ttlMs, 'NX')) === 'OK') return;
  const held = parseOwner(await redis.get(key));
  const ours = held !== undefined && held.host === info.host && held.home === info.home;
  if (held === undefined || (ours && !isSameProcess(held.pid, held.start))) {
    await redis.set(key, JSON.stringify(mine), 'PX', ttlMs);
    return;
  }
  throw new BgError(
    ErrorCode.config,
    `Another worker named "${info.name}" runs on ${held.host} (pid ${held.pid}). Give this one another name with --name or BGJOBS_WORKER_NAME.`,
  );
}

function parseOwner(text: string | null): Owner | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.host !== 'string' || typeof value.home !== 'string') return undefined;
    if (typeof value.pid !== 'number') return undefined;
    return { host: value.host, home: value.home, pid: value.pid, start: value.start ?? null };
  } catch {
    return undefined;
  }
}

/** One heartbeat: what the worker is and does, a beat counter, and its hold on the name. */
export async function beat(
  redis: Redis,
  keys: WireKeys,
  info: PresenceInfo,
  running: number,
  ttlMs: number,
): Promise<void> {
  const owner: Owner = {
    host: info.host,
    home: info.home,
    pid: process.pid,
    start: procStat(process.pid)?.startTime ?? null,
  };
  const reply = await redis
    .multi()
    .hset(keys.worker(info.name), {
      v: WIRE_VERSION,
      name: info.name,
      host: info.host,
      labels: info.labels.join(','),
      concurrency: info.concurrency,
      running,
      pid: process.pid,
      last_seen: Date.now(),
      started_at: info.startedAt,
      stopped: '0',
    })
    .hincrby(keys.worker(info.name), 'beat', 1)
    .sadd(keys.workers, info.name)
    .set(keys.workerOwner(info.name), JSON.stringify(owner), 'PX', ttlMs)
    .exec();
  const failed = reply?.find(([error]) => error !== null);
  if (reply === null || failed) throw failed?.[0] ?? new Error('the heartbeat was aborted');
}

/** Says the worker stopped on purpose, and lets go of its name. */
export async function leave(redis: Redis, keys: WireKeys, name: string): Promise<void> {
  await redis
    .multi()
    .hset(keys.worker(name), { stopped: '1', last_seen: Date.now(), running: 0 })
    .del(keys.workerOwner(name))
    .exec();
}
