import { Queue } from 'bullmq';
import { z } from 'zod';

import { bullConnection, connect, disconnect } from './redis.js';
import { wireKeys, workerInfoSchema } from './wire.js';

/** One worker as `bgjobs workers` and the `bgjobs://workers` resource show it. */
export const workerSummarySchema = z.object({
  name: z.string(),
  host: z.string(),
  labels: z.array(z.string()),
  concurrency: z.number(),
  /** Jobs running on it now. */
  running: z.number(),
  /** Jobs waiting in the queues of its labels (any worker with the label may take them). */
  queued: z.number(),
  /** Its last heartbeat, as an ISO time (the worker's clock). */
  last_seen: z.string(),
  /** `up`; `stopped` when it stopped on purpose; `silent` when its heartbeat is overdue. */
  state: z.enum(['up', 'stopped', 'silent']),
});
export type WorkerSummary = z.infer<typeof workerSummarySchema>;

/**
 * Every worker that ever beat on this Redis, with its labels, running and queued counts and
 * last heartbeat, sorted by name. Reads Redis directly, so it works without a daemon.
 */
export async function listWorkers(
  redisUrl: URL,
  options: { prefix?: string; silentAfterMs?: number } = {},
): Promise<WorkerSummary[]> {
  const keys = wireKeys(options.prefix ?? 'bgjobs');
  const redis = connect(redisUrl, 'command');
  const queues = new Map<string, Queue>();
  try {
    const names = (await redis.smembers(keys.workers)).sort();
    const pipeline = redis.pipeline();
    for (const name of names) pipeline.hgetall(keys.worker(name));
    const replies = (await pipeline.exec()) ?? [];
    const infos = replies
      .map(([, hash]) => workerInfoSchema.safeParse(hash))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
    const waiting = new Map<string, number>();
    for (const label of new Set(infos.flatMap((info) => labelsOf(info.labels)))) {
      const queue = new Queue(keys.queueName(label), {
        connection: bullConnection(redisUrl),
        prefix: keys.bullPrefix,
      });
      queues.set(label, queue);
      // Every run is queued with a priority, and BullMQ keeps those apart from plain waiting jobs.
      waiting.set(label, await queue.getJobCountByTypes('wait', 'prioritized'));
    }
    const silentAfter = options.silentAfterMs ?? 30_000;
    return infos.map((info) => {
      const labels = labelsOf(info.labels);
      const state: WorkerSummary['state'] =
        info.stopped === '1'
          ? 'stopped'
          : Date.now() - info.last_seen > silentAfter
            ? 'silent'
            : 'up';
      return {
        name: info.name,
        host: info.host,
        labels,
        concurrency: info.concurrency,
        running: state === 'stopped' ? 0 : info.running,
        queued: labels.reduce((sum, label) => sum + (waiting.get(label) ?? 0), 0),
        last_seen: new Date(info.last_seen).toISOString(),
        state,
      };
    });
  } finally {
    await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
    await disconnect(redis);
  }
}

function labelsOf(text: string): string[] {
  return text.split(',').filter((label) => label !== '');
}
