import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

import type { Redis } from 'ioredis';

import {
  MAX_CHUNK_BYTES,
  MAX_STREAM_ENTRIES,
  OUTPUT_STREAMS,
  type OutputStream,
  type WireKeys,
} from '../wire.js';

/** Chunks sent in one round trip (one MULTI) at most. */
const CHUNKS_PER_TRIP = 16;

interface StreamState {
  /** Bytes of the file already in Redis: the next chunk starts here. */
  sent: number;
  /** Entries this pump added that the daemon may still need, oldest first: id and end offset. */
  entries: { id: string; end: number }[];
}

/**
 * Mirrors one run's stdout and stderr files into its Redis output streams as they grow. Each
 * entry is a chunk with the byte offset it starts at, so the daemon writes it at that offset:
 * a chunk sent twice is written twice to the same place, never duplicated. How far each stream
 * was sent is kept in the run's hash in the same MULTI as the chunks, so a worker restarted
 * after `kill -9` goes on from exactly there: no gap, no duplicate bytes.
 *
 * Bounded: bytes that fell below the job's output cap are never sent (the daemon would drop
 * them too), and entries the daemon will not need are trimmed, so a run's streams hold about
 * its cap while no daemon reads them.
 */
export class OutputPump {
  private readonly states: Record<OutputStream, StreamState>;
  private running: Promise<void> | undefined;
  private again = false;

  private readonly redis: Redis;
  private readonly keys: WireKeys;
  private readonly run: string;
  private readonly dir: string;
  private readonly cap: number;

  constructor(
    redis: Redis,
    keys: WireKeys,
    run: { run: string; dir: string; cap: number },
    sent: Record<OutputStream, number>,
  ) {
    this.redis = redis;
    this.keys = keys;
    this.run = run.run;
    this.dir = run.dir;
    this.cap = run.cap;
    this.states = {
      stdout: { sent: sent.stdout, entries: [] },
      stderr: { sent: sent.stderr, entries: [] },
    };
  }

  /** Where each stream resumes, as the run's hash says (0 for a run never pumped). */
  static async resumeOffsets(
    redis: Redis,
    keys: WireKeys,
    run: string,
  ): Promise<Record<OutputStream, number>> {
    const [stdout, stderr] = await redis.hmget(keys.run(run), 'stdout_sent', 'stderr_sent');
    return { stdout: Number(stdout ?? 0) || 0, stderr: Number(stderr ?? 0) || 0 };
  }

  sentBytes(stream: OutputStream): number {
    return this.states[stream].sent;
  }

  /**
   * Sends everything new. Concurrent callers share the pass in flight, and a call made during
   * it starts one more pass after it, so nothing written before the call is left behind.
   * Rejects when Redis cannot be reached; what was not sent is sent by a later call.
   */
  pump(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (await this.sendSome()) {
            // one round trip per batch until the files are sent
          }
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One MULTI of chunks from both streams; true when more may be waiting. */
  private async sendSome(): Promise<boolean> {
    const multi = this.redis.multi();
    const planned: { stream: OutputStream; end: number }[] = [];
    for (const stream of OUTPUT_STREAMS) {
      const state = this.states[stream];
      const fd = openOrUndefined(join(this.dir, stream));
      if (fd === undefined) continue;
      try {
        const size = fstatSync(fd).size;
        // Bytes below the cap's window would be dropped on arrival: skip them.
        let offset = Math.max(state.sent, size - this.cap);
        let count = 0;
        while (offset < size && planned.length < CHUNKS_PER_TRIP && count < CHUNKS_PER_TRIP / 2) {
          const buffer = Buffer.allocUnsafe(Math.min(MAX_CHUNK_BYTES, size - offset));
          const read = readSync(fd, buffer, 0, buffer.length, offset);
          if (read === 0) break;
          multi.xadd(
            this.keys.output(this.run, stream),
            'MAXLEN',
            '~',
            MAX_STREAM_ENTRIES,
            '*',
            'o',
            String(offset),
            'd',
            buffer.subarray(0, read),
          );
          offset += read;
          planned.push({ stream, end: offset });
          count++;
        }
        if (count > 0) multi.hset(this.keys.run(this.run), `${stream}_sent`, offset);
      } finally {
        closeSync(fd);
      }
    }
    if (planned.length === 0) return false;
    const replies = await multi.exec();
    if (replies === null) throw new Error('the output transaction was aborted');
    let reply = 0;
    for (const stream of OUTPUT_STREAMS) {
      const mine = planned.filter((p) => p.stream === stream);
      for (const { end } of mine) {
        const [error, id] = replies[reply++] ?? [new Error('no reply'), null];
        if (error) throw error;
        this.states[stream].entries.push({ id: String(id), end });
        this.states[stream].sent = end;
      }
      if (mine.length > 0) reply++; // the HSET
    }
    await this.trim();
    return true;
  }

  /** Drops the entries whose bytes all fell below the cap's window: the daemon never needs them. */
  private async trim(): Promise<void> {
    for (const stream of OUTPUT_STREAMS) {
      const state = this.states[stream];
      const floor = state.sent - this.cap;
      let dropped = false;
      while (state.entries.length > 1 && (state.entries[0]?.end ?? Infinity) <= floor) {
        state.entries.shift();
        dropped = true;
      }
      const first = state.entries[0];
      if (dropped && first) {
        await this.redis.xtrim(this.keys.output(this.run, stream), 'MINID', first.id);
      }
      // Past a few thousand the daemon has read them or will skip them: keep the list short.
      if (state.entries.length > 4096) state.entries.splice(0, state.entries.length - 4096);
    }
  }
}

function openOrUndefined(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch {
    return undefined;
  }
}
