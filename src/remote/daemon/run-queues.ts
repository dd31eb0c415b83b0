import { Queue } from 'bullmq';

import type { Redis } from 'ioredis';

import { bullConnection } from '../redis.js';
import {
  PORT_WIRE_VERSION,
  PROMPT_WIRE_VERSION,
  runPayloadSchema,
  WIRE_VERSION,
  type RunPayload,
  type WireKeys,
} from '../wire.js';
import type { RemoteJobSpec } from './types.js';

/** Marks a run cancelled unless a worker claimed it; then says which one did (see start.ts). */
const CANCEL = `
local worker = redis.call('hget', KEYS[1], 'worker')
if worker then return worker end
redis.call('hset', KEYS[1], 'cancel', '1')
return ''`;

/**
 * The BullMQ queues a daemon puts runs on, one per label, made when first needed. A run is a
 * BullMQ job whose id is the run's key, so it is queued once however often it is asked.
 */
export class RunQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly redisUrl: URL;
  private readonly keys: WireKeys;
  private readonly report: (message: string) => void;

  constructor(redisUrl: URL, keys: WireKeys, report: (message: string) => void) {
    this.redisUrl = redisUrl;
    this.keys = keys;
    this.report = report;
  }

  /** Queues one run on its label's queue; bgjobs priority (higher first) becomes BullMQ's. */
  async add(spec: RemoteJobSpec, run: string, daemon: string): Promise<void> {
    const llm = spec.llm ?? null;
    const port = spec.port ?? null;
    const payload: RunPayload = runPayloadSchema.parse({
      v: llm !== null ? PROMPT_WIRE_VERSION : port !== null ? PORT_WIRE_VERSION : WIRE_VERSION,
      run,
      job_id: spec.jobId,
      daemon,
      label: spec.label,
      command: spec.command,
      cwd: spec.cwd,
      env: spec.env,
      env_from_worker: spec.envFromWorker,
      pty: spec.pty,
      timeout_s: spec.timeoutS,
      max_output_bytes: spec.maxOutputBytes,
      ready: spec.ready,
      port,
      llm,
      enqueued_at: Date.now(),
    });
    const { priority } = spec;
    await this.queue(payload.label).add('run', payload, {
      jobId: payload.run,
      // BullMQ: 1 goes first. bgjobs: higher goes first, from -1000 to 1000.
      priority: 1001 - Math.max(-1000, Math.min(1000, priority)),
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: { age: 3600 },
    });
  }

  /**
   * Cancels a run no worker claimed yet: it is marked so none ever starts it, and taken off its
   * queue. Returns null then, or the name of the worker that claimed it first.
   */
  async cancel(redis: Redis, label: string, run: string): Promise<string | null> {
    const claimedBy = String(await redis.eval(CANCEL, 1, this.keys.run(run)));
    if (claimedBy !== '') return claimedBy;
    await this.queue(label)
      .remove(run)
      .catch(() => 0);
    return null;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }

  private queue(label: string): Queue {
    let queue = this.queues.get(label);
    if (!queue) {
      queue = new Queue(this.keys.queueName(label), {
        connection: bullConnection(this.redisUrl),
        prefix: this.keys.bullPrefix,
      });
      queue.on('error', (error) => this.report(`bgjobs: queue ${label}: ${String(error)}`));
      this.queues.set(label, queue);
    }
    return queue;
  }
}
