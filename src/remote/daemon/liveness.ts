import type { Redis } from 'ioredis';

import type { WireKeys } from '../wire.js';

interface Seen {
  beat: string | null;
  /** When (daemon clock) the beat last changed, or when the daemon last could not look. */
  at: number;
}

/**
 * Judges whether a worker is gone, by the daemon's own clock only: a worker is gone when its
 * beat counter has not moved for `timeoutMs` while the daemon could read it all along. The
 * worker's clock, Redis key expiry and a Redis restart that lost the heartbeat hash never make
 * a worker gone by themselves: while Redis cannot be read, or right after, the clock restarts.
 */
export class WorkerLiveness {
  private readonly seen = new Map<string, Seen>();
  private readonly redis: Redis;
  private readonly keys: WireKeys;
  private readonly timeoutMs: number;

  constructor(redis: Redis, keys: WireKeys, timeoutMs: number) {
    this.redis = redis;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Looks at the beats of NAMES now.
   *
   * @returns the names judged gone, with how long they have been silent.
   */
  async check(names: Iterable<string>, now = Date.now()): Promise<Map<string, number>> {
    const list = [...new Set(names)];
    const gone = new Map<string, number>();
    if (list.length === 0) return gone;
    const pipeline = this.redis.pipeline();
    for (const name of list) pipeline.hget(this.keys.worker(name), 'beat');
    const replies = await pipeline.exec();
    for (const [index, name] of list.entries()) {
      const [error, beat] = replies?.[index] ?? [new Error('no reply'), null];
      if (error) throw error;
      const value = typeof beat === 'string' ? beat : null;
      const before = this.seen.get(name);
      if (!before || before.beat !== value) {
        this.seen.set(name, { beat: value, at: now });
        continue;
      }
      if (now - before.at > this.timeoutMs) gone.set(name, now - before.at);
    }
    return gone;
  }

  /** The daemon was blind for a while: nobody is judged on what it could not see. */
  forgive(now = Date.now()): void {
    for (const seen of this.seen.values()) seen.at = now;
  }

  forget(name: string): void {
    this.seen.delete(name);
  }
}

/** The worker that claimed each run, if one did (from the runs' hashes). */
export async function claimedBy(
  redis: Redis,
  keys: WireKeys,
  runs: readonly string[],
): Promise<(string | undefined)[]> {
  if (runs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const run of runs) pipeline.hget(keys.run(run), 'worker');
  const replies = (await pipeline.exec()) ?? [];
  return runs.map((_, index) => {
    const name = replies[index]?.[1];
    return typeof name === 'string' && name !== '' ? name : undefined;
  });
}
