import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** How long one ordinary command may take before it fails (a blocking read adds its block). */
export const COMMAND_TIMEOUT_MS = 10_000;
/** Reconnection: the delay grows to this cap and reconnecting never stops while we run. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Connection options for one of our clients. `blocking` clients carry commands that wait
 * (XREAD BLOCK, BullMQ's fetch), so they get no per-command timeout; BullMQ wants
 * `maxRetriesPerRequest: null` on its own.
 */
export function redisOptions(url: URL, kind: 'command' | 'blocking' | 'bullmq'): RedisOptions {
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: Number.isInteger(db) ? db : 0,
    tls: url.protocol === 'rediss:' ? { servername: url.hostname } : undefined,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: kind === 'command' ? COMMAND_TIMEOUT_MS : undefined,
    // A command fails after one reconnect attempt instead of queuing without bound: our loops
    // retry it themselves, after a capped delay.
    maxRetriesPerRequest: kind === 'command' ? 1 : null,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
  };
}

export function connect(url: URL, kind: 'command' | 'blocking' | 'bullmq'): Redis {
  const client = new Redis(redisOptions(url, kind));
  // ioredis reports every failed reconnect as an error event; without a listener each would
  // be an uncaught exception. The loops that use the client report what matters.
  client.on('error', () => undefined);
  return client;
}

/** Closes a client, waiting at most a moment for it to say goodbye. */
export async function disconnect(client: Redis): Promise<void> {
  const quit = client.quit().catch(() => undefined);
  const timer = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
  await Promise.race([quit, timer]);
  client.disconnect();
}

/** The options BullMQ builds its own connections from (it wants no per-request retry cap). */
export function bullConnection(url: URL): BullRedisOptions {
  const { retryStrategy, ...rest } = redisOptions(url, 'bullmq');
  return { ...rest, retryStrategy: retryStrategy ?? undefined };
}
