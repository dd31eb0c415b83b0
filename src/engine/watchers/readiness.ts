import { closeSync, openSync, readSync } from 'node:fs';

import { PatternMatcher } from '../../logs/pattern-budget.js';
import { toModelText } from '../../logs/text.js';
import { connect } from 'node:net';
import type { JobFolders } from '../../job-folder/folders.js';
import type { JobStore } from '../../store/store.js';
import type { JobEvents, RunStart } from '../events.js';
import type { JobRecord } from '../model.js';
import type { Transitions } from '../transitions.js';
import { WorkLoop } from '../../work-loop.js';

const TICK_MS = 20;
const PORT_EVERY_MS = 20;
const URL_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1000;
const MAX_READ = 1024 * 1024;
const MAX_PARTIAL = 64 * 1024;

type Stream = 'stdout' | 'stderr';

interface Watch {
  id: string;
  run: number;
  /** The failure pattern, then the readiness pattern, whichever are given. */
  patterns: PatternMatcher | undefined;
  /** What a match of each of those patterns means. */
  means: ('failed' | 'ready')[];
  /** An unbounded pattern is being tested off the thread: look again once it answers. */
  matching: boolean;
  port: number | undefined;
  url: string | undefined;
  offsets: Record<Stream, number>;
  partial: Record<Stream, string>;
  nextProbe: number;
  probeBusy: boolean;
}

/**
 * Watches running jobs that have a readiness condition: a regex on their output, a TCP port
 * listening, or an HTTP URL answering 2xx — and a failure regex, because silence is not
 * success. Each run of a service is watched from its own start. One loop serves all jobs.
 */
export class Readiness {
  private readonly watches = new Map<string, Watch>();
  private readonly store: JobStore;
  private readonly folders: JobFolders;
  private readonly transitions: Transitions;
  // Runs only while some run waits to be ready.
  private readonly loop = new WorkLoop({ everyMs: TICK_MS, round: () => this.round() });

  constructor(store: JobStore, folders: JobFolders, transitions: Transitions, events: JobEvents) {
    this.store = store;
    this.folders = folders;
    this.transitions = transitions;
    events.on('started', (job, run) => this.watch(job, run));
    for (const name of ['ended', 'retried', 'run-ended'] as const) {
      events.on(name, (job) => this.unwatch(job.id));
    }
  }

  stop(): Promise<void> {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
    return this.loop.stop();
  }

  /** Starts watching a run that has just started (or was re-adopted). */
  private watch(job: JobRecord, run: RunStart | undefined): void {
    const spec = job.ready;
    if (spec === null || job.readyState !== 'pending') return;
    const paths = this.folders.paths(job.id);
    // A remote job's port and URL are on its worker's host: the worker probes them and says so.
    const here = job.kind !== 'remote';
    const given = [
      { pattern: spec.fail_pattern, means: 'failed' as const },
      { pattern: spec.pattern, means: 'ready' as const },
    ].filter((entry): entry is { pattern: string; means: 'failed' | 'ready' } => !!entry.pattern);
    this.unwatch(job.id);
    this.watches.set(job.id, {
      id: job.id,
      run: job.runs,
      patterns: given.length === 0 ? undefined : new PatternMatcher(given),
      means: given.map((entry) => entry.means),
      matching: false,
      port: here ? spec.port : undefined,
      url: here ? spec.url : undefined,
      // From where this run's output starts; a re-adopted first run from the beginning.
      offsets:
        run ??
        (job.runs <= 1
          ? { stdout: 0, stderr: 0 }
          : {
              stdout: this.folders.sizeOf(paths.stdout),
              stderr: this.folders.sizeOf(paths.stderr),
            }),
      partial: { stdout: '', stderr: '' },
      nextProbe: 0,
      probeBusy: false,
    });
    this.loop.wake();
  }

  /** Stops watching job ID, ending its patterns' worker if it has one. */
  private unwatch(id: string): void {
    this.watches.get(id)?.patterns?.close();
    this.watches.delete(id);
  }

  private round(): boolean {
    for (const watch of [...this.watches.values()]) {
      try {
        this.check(watch);
      } catch (error) {
        process.emitWarning(`bgjobs: readiness check of ${watch.id} failed: ${String(error)}`);
      }
    }
    return this.watches.size > 0;
  }

  private check(watch: Watch): void {
    const job = this.store.get(watch.id);
    if (
      !job ||
      job.status !== 'running' ||
      job.runs !== watch.run ||
      job.readyState !== 'pending'
    ) {
      this.unwatch(watch.id);
      return;
    }
    if (watch.patterns !== undefined && !watch.matching) {
      const lines = [...this.scan(watch, 'stdout'), ...this.scan(watch, 'stderr')];
      if (lines.length > 0 && this.matchLines(watch, watch.patterns, lines)) return;
    }
    if (watch.probeBusy || Date.now() < watch.nextProbe) return;
    if (watch.port !== undefined)
      this.probe(
        watch,
        probePort(watch.port),
        `port ${watch.port} accepts connections`,
        PORT_EVERY_MS,
      );
    else if (watch.url !== undefined)
      this.probe(watch, probeUrl(watch.url), `${watch.url} answered 2xx`, URL_EVERY_MS);
  }

  /** Runs one probe at a time per job; a success makes the job ready. */
  private probe(watch: Watch, attempt: Promise<boolean>, match: string, everyMs: number): void {
    watch.probeBusy = true;
    attempt
      .then((ok) => {
        if (ok && this.watches.get(watch.id) === watch) this.settle(watch, 'ready', match);
      })
      .catch(() => undefined)
      .finally(() => {
        watch.probeBusy = false;
        watch.nextProbe = Date.now() + everyMs;
      });
  }

  /**
   * Tests the lines, the failure pattern first on each: here when V8 bounds the patterns (true
   * once one matched), else off the thread, settling when it answers — or failing the
   * readiness, saying the pattern is too slow, when its budget is spent.
   */
  private matchLines(watch: Watch, patterns: PatternMatcher, lines: string[]): boolean {
    const settleOn = (found: { text: number; pattern: number } | undefined): boolean => {
      if (found === undefined) return false;
      this.settle(watch, watch.means[found.pattern] ?? 'ready', lines[found.text] ?? '');
      return true;
    };
    if (patterns.bounded) return settleOn(patterns.matchNow(lines));
    watch.matching = true;
    const current = (): boolean => this.watches.get(watch.id) === watch;
    patterns
      .match(lines)
      .then((found) => current() && settleOn(found))
      .catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        if (current()) this.settle(watch, 'failed', why);
      })
      .finally(() => {
        watch.matching = false;
        if (current()) this.loop.wake();
      });
    return false;
  }

  /** Reads the lines the stream gained (the last one kept for the next read as well). */
  private scan(watch: Watch, stream: Stream): string[] {
    const path = this.folders.paths(watch.id)[stream];
    const size = this.folders.sizeOf(path);
    if (size <= watch.offsets[stream]) return [];
    // Past a flood, look at the newest megabyte only.
    const from = Math.max(watch.offsets[stream], size - MAX_READ);
    const text = watch.partial[stream] + toModelText(readRange(path, from, size - from), false);
    watch.offsets[stream] = size;
    const lines = text.split('\n');
    // The last piece has no newline yet: test it now (a prompt), keep it for the next read.
    watch.partial[stream] = (lines[lines.length - 1] ?? '').slice(-MAX_PARTIAL);
    return lines;
  }

  private settle(watch: Watch, state: 'ready' | 'failed', match: string): void {
    this.unwatch(watch.id);
    this.transitions.ready(watch.id, state, match);
  }
}

function readRange(path: string, from: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, length, from);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether something accepts TCP connections on this port, on 127.0.0.1 or ::1. A connect
 * attempt costs a fraction of a millisecond on loopback, far less than reading the kernel's
 * socket tables.
 */
function probePort(port: number): Promise<boolean> {
  const attempt = (host: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.once('timeout', () => done(false));
    });
  return attempt('127.0.0.1').then((ok) => ok || attempt('::1'));
}

async function probeUrl(url: string): Promise<boolean> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    redirect: 'manual',
  });
  await response.body?.cancel();
  return response.ok;
}
