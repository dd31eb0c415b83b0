import { setTimeout as delay } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import {
  OUTPUT_STREAMS,
  parseOutputChunk,
  type OutputChunk,
  type OutputStream,
  type WireKeys,
} from '../wire.js';

const BLOCK_MS = 1000;
const ENTRIES_PER_READ = 64;
const MAX_BACKOFF_MS = 2000;

type Part = 'ev' | OutputStream;
const PARTS: readonly Part[] = ['ev', ...OUTPUT_STREAMS];

export interface FollowHandlers {
  output: (run: string, stream: OutputStream, chunks: OutputChunk[]) => Promise<void>;
  /** One event entry's JSON text; the handler parses it with the wire schema. */
  event: (run: string, text: string | undefined) => Promise<void>;
  /** Redis answered again after failing: whatever was judged meanwhile may be stale. */
  reconnected: () => void;
  report: (message: string) => void;
}

/**
 * Reads every followed run's event and output streams with one blocking XREAD on a connection
 * of its own, resuming each stream after the last entry handled. Following a new run wakes the
 * read at once (the daemon writes to its own wake stream), so no run waits for a read to time
 * out. The output of a run is always handled before its events of the same read.
 */
export class StreamFollower {
  private readonly runs = new Map<string, Record<Part, string>>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeLast = '0-0';
  private readonly blocking: Redis;
  private readonly command: Redis;
  private readonly keys: WireKeys;
  private readonly wakeKey: string;
  private readonly handlers: FollowHandlers;

  constructor(options: {
    blocking: Redis;
    command: Redis;
    keys: WireKeys;
    daemon: string;
    handlers: FollowHandlers;
  }) {
    this.blocking = options.blocking;
    this.command = options.command;
    this.keys = options.keys;
    this.wakeKey = options.keys.wake(options.daemon);
    this.handlers = options.handlers;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.blocking.disconnect();
    await this.loop;
  }

  /** Follows a run from the start of its streams (a catch-up rereads what is still there). */
  follow(run: string): void {
    if (this.runs.has(run)) return;
    this.runs.set(run, { ev: '0', stdout: '0', stderr: '0' });
    this.command.xadd(this.wakeKey, 'MAXLEN', '~', 100, '*', 'w', '1').catch(() => undefined);
  }

  unfollow(run: string): void {
    this.runs.delete(run);
  }

  /** Reads what is left of a run's output streams now (before its end is recorded). */
  async drainOutput(run: string): Promise<void> {
    const last = this.runs.get(run);
    if (!last) return;
    for (const stream of OUTPUT_STREAMS) {
      for (;;) {
        const entries = await this.command.xrangeBuffer(
          this.keys.output(run, stream),
          `(${last[stream]}`,
          '+',
          'COUNT',
          ENTRIES_PER_READ,
        );
        if (entries.length === 0) break;
        await this.handleOutput(run, stream, entries);
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        await this.readOnce();
        if (failures > 0) this.handlers.reconnected();
        failures = 0;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        if (failures++ === 0)
          this.handlers.report(`bgjobs: reading remote jobs failed (retrying): ${String(error)}`);
        await delay(Math.min(100 * 2 ** failures, MAX_BACKOFF_MS), undefined, {
          signal: this.abort.signal,
        }).catch(() => undefined);
      }
    }
  }

  private async readOnce(): Promise<void> {
    const keys: string[] = [this.wakeKey];
    const ids: string[] = [this.wakeLast];
    const where = new Map<string, { run: string; part: Part }>();
    for (const [run, last] of this.runs) {
      for (const part of PARTS) {
        const key = part === 'ev' ? this.keys.events(run) : this.keys.output(run, part);
        keys.push(key);
        ids.push(last[part]);
        where.set(key, { run, part });
      }
    }
    const reply = await this.blocking.xreadBuffer(
      'COUNT',
      ENTRIES_PER_READ,
      'BLOCK',
      BLOCK_MS,
      'STREAMS',
      ...keys,
      ...ids,
    );
    const events: { run: string; entries: [Buffer, Buffer[]][] }[] = [];
    for (const [keyBuffer, entries] of reply ?? []) {
      const key = keyBuffer.toString();
      if (key === this.wakeKey) {
        const lastEntry = entries[entries.length - 1];
        if (lastEntry) this.wakeLast = lastEntry[0].toString();
        continue;
      }
      const at = where.get(key);
      if (!at || !this.runs.has(at.run)) continue;
      if (at.part === 'ev') events.push({ run: at.run, entries });
      else await this.handleOutput(at.run, at.part, entries);
    }
    for (const { run, entries } of events) {
      for (const [id, fields] of entries) {
        const last = this.runs.get(run);
        if (!last) break;
        last.ev = id.toString();
        await this.handlers.event(run, fieldsOf(fields).get('m')?.toString());
      }
    }
  }

  private async handleOutput(run: string, stream: OutputStream, entries: [Buffer, Buffer[]][]) {
    const last = this.runs.get(run);
    if (!last || entries.length === 0) return;
    const chunks: OutputChunk[] = [];
    for (const [, fields] of entries) {
      const chunk = parseOutputChunk(fieldsOf(fields));
      if (chunk) chunks.push(chunk);
    }
    await this.handlers.output(run, stream, chunks);
    const lastId = entries[entries.length - 1]?.[0].toString() ?? last[stream];
    last[stream] = lastId;
    // What was mirrored need not wait in Redis; the last entry stays as the resume point.
    await this.command.xtrim(this.keys.output(run, stream), 'MINID', lastId).catch(() => undefined);
  }
}

function fieldsOf(fields: Buffer[]): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (name && value) map.set(name.toString(), value);
  }
  return map;
}
