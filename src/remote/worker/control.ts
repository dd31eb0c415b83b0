import { setTimeout as delay } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import { controlSchema, parseMessage, type ControlMessage } from '../wire.js';

/** How long one blocking read waits before it looks again (so stop() is never stuck). */
const BLOCK_MS = 1000;
const MAX_BACKOFF_MS = 2000;

interface ControlReaderOptions {
  /** A connection of its own: a blocking read holds it. */
  redis: Redis;
  key: string;
  handle: (message: ControlMessage) => Promise<void>;
  report: (message: string) => void;
}

/**
 * Reads the worker's control stream (input, stdin close, kill) and hands each message to
 * HANDLE, then deletes it: the worker is the stream's only reader, and a message still there
 * after a crash is taken by the next worker process (an input could then arrive twice, but
 * only if the worker died between writing it and deleting it).
 */
export class ControlReader {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  private readonly options: ControlReaderOptions;

  constructor(options: ControlReaderOptions) {
    this.options = options;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.options.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { redis, key, handle, report } = this.options;
    let last = '0';
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const reply = await redis.xread('COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', key, last);
        failures = 0;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const message = parseMessage(controlSchema, fieldOf(fields, 'm'));
            if (message) {
              await handle(message).catch((error: unknown) =>
                report(`bgjobs worker: control ${message.op} for ${message.run}: ${String(error)}`),
              );
            }
            await redis.xdel(key, id);
          }
        }
      } catch (error) {
        if (this.abort.signal.aborted) break;
        if (failures++ === 0)
          report(`bgjobs worker: reading controls failed (retrying): ${String(error)}`);
        await delay(Math.min(100 * 2 ** failures, MAX_BACKOFF_MS), undefined, {
          signal: this.abort.signal,
        }).catch(() => undefined);
      }
    }
  }
}

export function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
