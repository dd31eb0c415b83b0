import { watch, type FSWatcher } from 'node:fs';

import type { Redis } from 'ioredis';

import type { RunEvent, RunPayload, WireKeys } from '../wire.js';
import { checkRun, stopRun } from './local-run.js';
import { OutputPump } from './output-pump.js';
import { removeRun, saveRecord, type RunRecord, type WorkerPaths } from './run-record.js';

const DEFAULT_GRACE_MS = 5000;

/** One run this worker follows: its record, its output pump, and a watch on its folder. */
interface ActiveRun {
  record: RunRecord;
  /** Made once the run's resume offsets are read from Redis. */
  pump: OutputPump | undefined;
  watcher: FSWatcher | undefined;
  ending: boolean;
  stopping: Promise<unknown> | undefined;
}

export interface WorkerIdentity {
  name: string;
  host: string;
}

/**
 * The runs a worker follows: it pumps their output to Redis as their files grow, notices when
 * they end (exit file) and reports the end once every byte before it was sent, enforces their
 * timeouts, and stops their trees on request. A run leaves only once its end is in Redis; until
 * then it keeps its slot, and its record on disk lets a restarted worker take it back.
 */
export class WorkerRuns {
  private readonly active = new Map<string, ActiveRun>();
  private readonly redis: Redis;
  private readonly keys: WireKeys;
  private readonly paths: WorkerPaths;
  private readonly me: WorkerIdentity;
  private readonly onLeave: (run: string) => void;
  private readonly report: (message: string) => void;

  constructor(options: {
    redis: Redis;
    keys: WireKeys;
    paths: WorkerPaths;
    me: WorkerIdentity;
    onLeave: (run: string) => void;
    report: (message: string) => void;
  }) {
    this.redis = options.redis;
    this.keys = options.keys;
    this.paths = options.paths;
    this.me = options.me;
    this.onLeave = options.onLeave;
    this.report = options.report;
  }

  get size(): number {
    return this.active.size;
  }

  runKeys(): string[] {
    return [...this.active.keys()];
  }

  records(): RunRecord[] {
    return [...this.active.values()].map((entry) => entry.record);
  }

  get(run: string): RunRecord | undefined {
    return this.active.get(run)?.record;
  }

  /** Follows a run (just started, or left by a previous worker process). */
  async follow(record: RunRecord, announce?: () => Promise<void>): Promise<void> {
    const run = record.payload.run;
    // Known at once, so a kill that comes right after the start finds it.
    const entry: ActiveRun = {
      record,
      pump: undefined,
      watcher: undefined,
      ending: false,
      stopping: undefined,
    };
    this.active.set(run, entry);
    const sent = await OutputPump.resumeOffsets(this.redis, this.keys, run).catch(() => ({
      stdout: 0,
      stderr: 0,
    }));
    entry.pump = new OutputPump(
      this.redis,
      this.keys,
      { run, dir: record.dir, cap: record.payload.max_output_bytes },
      sent,
    );
    // The start is said before anything is pumped or checked, so it comes before the end.
    await announce?.().catch((error: unknown) =>
      this.report(`bgjobs worker: announcing ${run}: ${String(error)}`),
    );
    try {
      // Each write to the folder's files wakes the pump at once; the periodic check is the net.
      entry.watcher = watch(record.dir, () => this.poke(entry));
      entry.watcher.on('error', () => undefined);
    } catch {
      entry.watcher = undefined;
    }
    this.poke(entry);
  }

  /** Publishes one event of a run. */
  async publish(payload: RunPayload, event: RunEvent): Promise<void> {
    await this.redis.xadd(this.keys.events(payload.run), '*', 'm', JSON.stringify(event));
  }

  /** Stops a run's tree (first reason wins); the check that follows reports its end. */
  stop(run: string, reason: 'kill' | 'timeout', signal: NodeJS.Signals, graceMs: number): boolean {
    const entry = this.active.get(run);
    if (!entry) return false;
    if (entry.record.stop === null) {
      entry.record.stop = reason;
      saveRecord(this.paths, entry.record);
    }
    const stopping = stopRun(entry.record, signal, graceMs)
      .catch((error: unknown) => this.report(`bgjobs worker: stopping ${run}: ${String(error)}`))
      .finally(() => {
        if (entry.stopping === stopping) entry.stopping = undefined;
        this.poke(entry);
      });
    entry.stopping = stopping;
    return true;
  }

  /** Looks at every run: output to send, a timeout passed, an end to report. */
  checkAll(): void {
    for (const entry of this.active.values()) this.poke(entry);
  }

  /** Stops watching (the runs go on under their monitors, for the next worker process). */
  async close(): Promise<void> {
    for (const entry of this.active.values()) entry.watcher?.close();
    const stopping = [...this.active.values()].flatMap((e) => (e.stopping ? [e.stopping] : []));
    await Promise.allSettled(stopping);
    this.active.clear();
  }

  private poke(entry: ActiveRun): void {
    if (!this.active.has(entry.record.payload.run) || !entry.pump) return;
    entry.pump.pump().catch(() => undefined);
    this.checkTimeout(entry);
    // A run being stopped reports its end once its whole tree is gone, not when its leader is.
    if (entry.stopping) return;
    const state = checkRun(entry.record);
    if (state.state !== 'running' && !entry.ending) {
      entry.ending = true;
      this.end(entry, state).catch((error: unknown) => {
        entry.ending = false;
        this.report(
          `bgjobs worker: reporting the end of ${entry.record.payload.run} failed (retried): ${String(error)}`,
        );
      });
    }
  }

  private checkTimeout(entry: ActiveRun): void {
    const { record } = entry;
    const timeoutS = record.payload.timeout_s;
    if (timeoutS === null || record.stop !== null) return;
    if (Date.now() < record.startedAt + timeoutS * 1000) return;
    this.stop(record.payload.run, 'timeout', 'SIGTERM', DEFAULT_GRACE_MS);
  }

  /** Sends the last output, then the end; the run leaves once both are in Redis. */
  private async end(
    entry: ActiveRun,
    state:
      | { state: 'ended'; exitCode: number | null; signal: string | null }
      | { state: 'lost'; reason: string },
  ): Promise<void> {
    const { record, pump } = entry;
    const run = record.payload.run;
    if (!pump) throw new Error('not followed yet');
    await pump.pump();
    record.endedAt ??= Date.now();
    const event: RunEvent = {
      type: 'end',
      worker: this.me.name,
      host: this.me.host,
      exit_code: state.state === 'ended' ? state.exitCode : null,
      signal: state.state === 'ended' ? state.signal : null,
      stop: record.stop,
      error: state.state === 'lost' ? state.reason : null,
      stdout_bytes: pump.sentBytes('stdout'),
      stderr_bytes: pump.sentBytes('stderr'),
      at: record.endedAt,
    };
    await this.redis
      .multi()
      .xadd(this.keys.events(run), '*', 'm', JSON.stringify(event))
      .hset(this.keys.run(run), 'ended', '1')
      .exec();
    entry.watcher?.close();
    this.active.delete(run);
    removeRun(this.paths, run);
    this.onLeave(run);
  }
}
