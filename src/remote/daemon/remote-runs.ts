import type { Redis } from 'ioredis';

import { BgError, ErrorCode } from '../../api/errors.js';
import { connect, disconnect } from '../redis.js';
import {
  controlSchema,
  parseMessage,
  runEventSchema,
  wireKeys,
  type ControlMessage,
  type OutputChunk,
  type OutputStream,
  type WireKeys,
} from '../wire.js';
import { waitForEnd, waitForStart, type Followed } from './followed.js';
import { StreamFollower } from './follower.js';
import { runKeyOf } from './identity.js';
import { WorkerLiveness } from './liveness.js';
import { watchWorkers } from './worker-watch.js';
import { OutputMirror } from './mirror.js';
import { RunQueues } from './run-queues.js';
import type { RemoteHost, RemoteJobSpec, RemoteRunEnd, RemoteRunsOptions } from './types.js';

/** A run's keys live this long after its end, for a late worker or a second look. */
const KEEP_ENDED_S = 24 * 60 * 60;
/** A kill waits for the remote end this long past the grace before it returns. */
const KILL_REPLY_SLACK_MS = 15_000;

const NO_EXIT = {
  exitCode: null,
  signal: null,
  stop: null,
  error: null,
  lost: null,
  neverStarted: false,
} as const satisfies Omit<RemoteRunEnd, 'worker'>;

/**
 * The daemon's side of remote jobs (what becomes the remote `Runner`): it queues a run on the
 * BullMQ queue of its label, follows the run's events and output through Redis, mirrors the
 * output into the job's folder, sends input and kills to the worker that runs it, and judges a
 * run lost when its worker stops beating. A restarted daemon adopts its runs and catches up on
 * whatever waited in Redis meanwhile.
 */
export class RemoteRuns {
  private readonly options: RemoteRunsOptions;
  private readonly keys: WireKeys;
  private readonly host: RemoteHost;
  private readonly runs = new Map<string, Followed>();
  private readonly queues: RunQueues;
  private readonly abort = new AbortController();
  private redis: Redis | undefined;
  private follower: StreamFollower | undefined;
  private liveness: WorkerLiveness | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: RemoteRunsOptions) {
    this.options = options;
    this.keys = wireKeys(options.prefix ?? 'bgjobs');
    this.host = options.host;
    this.queues = new RunQueues(options.redisUrl, this.keys, (m) => this.report(m));
  }

  private get report(): (message: string) => void {
    return this.options.report ?? ((message) => console.error(message));
  }

  start(): void {
    if (this.redis) return;
    const redis = connect(this.options.redisUrl, 'command');
    this.redis = redis;
    this.liveness = new WorkerLiveness(redis, this.keys, this.options.workerTimeoutMs);
    this.follower = new StreamFollower({
      blocking: connect(this.options.redisUrl, 'blocking'),
      command: redis,
      keys: this.keys,
      daemon: this.options.daemonId,
      handlers: {
        output: (run, stream, chunks) => this.onOutput(run, stream, chunks),
        event: (run, text) => this.onEvent(run, text),
        reconnected: () => this.liveness?.forgive(),
        report: this.report,
      },
    });
    this.follower.start();
    this.loop = watchWorkers({
      liveness: this.liveness,
      redis,
      keys: this.keys,
      signal: this.abort.signal,
      everyMs: Math.max(100, Math.min(1000, this.options.workerTimeoutMs / 4)),
      runs: () => [...this.runs.values()],
      lose: (entry, lost) => this.finish(entry, { ...NO_EXIT, lost }),
    });
  }

  /** Queues one run of a job for a worker with its label, and follows it. */
  async enqueue(spec: RemoteJobSpec): Promise<string> {
    const run = runKeyOf(this.options.daemonId, spec.jobId, spec.seq);
    this.followRun(run, spec);
    await this.queues.add(spec, run, this.options.daemonId);
    return run;
  }

  /** Follows a run a previous daemon queued: its streams are read again from what is left. */
  adopt(spec: Pick<RemoteJobSpec, 'jobId' | 'seq' | 'label' | 'maxOutputBytes' | 'base'>): string {
    const run = runKeyOf(this.options.daemonId, spec.jobId, spec.seq);
    this.followRun(run, spec);
    return run;
  }

  /** Which worker runs the job, once one started it. */
  workerOf(jobId: string): { name: string; host: string } | null {
    return this.find(jobId)?.worker ?? null;
  }

  /**
   * Stops a remote job: a run no worker claimed yet is cancelled and never starts; a claimed
   * one gets SIGNAL to its whole tree, then SIGKILL after the grace, on its worker. Resolves
   * once its end is in, or when waiting longer would not help.
   */
  async stop(
    jobId: string,
    options: { signal: NodeJS.Signals; graceMs: number; reason: 'kill' | 'timeout' },
  ): Promise<void> {
    const entry = this.find(jobId);
    if (!entry || entry.ended) return;
    const redis = this.connected();
    entry.kill = controlSchema.parse({
      op: 'kill',
      run: entry.run,
      signal: options.signal,
      grace_ms: options.graceMs,
      reason: options.reason,
    });
    const claimedBy = await this.queues.cancel(redis, entry.label, entry.run);
    if (claimedBy === null) {
      await this.finish(entry, { ...NO_EXIT, stop: options.reason, neverStarted: true });
      return;
    }
    await this.sendControl(claimedBy, entry.kill);
    await waitForEnd(entry, options.graceMs + KILL_REPLY_SLACK_MS);
  }

  /** Writes DATA to the remote job's stdin. */
  async input(jobId: string, data: string): Promise<void> {
    const entry = await waitForStart(jobId, () => this.find(jobId));
    await this.sendControl(entry.worker.name, { op: 'input', run: entry.run, data });
  }

  async closeStdin(jobId: string): Promise<void> {
    const entry = await waitForStart(jobId, () => this.find(jobId));
    await this.sendControl(entry.worker.name, { op: 'close_stdin', run: entry.run });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.follower?.stop();
    await this.queues.close();
    for (const entry of this.runs.values()) entry.mirror.close();
    this.runs.clear();
    if (this.redis) await disconnect(this.redis);
  }

  private followRun(
    run: string,
    spec: Pick<RemoteJobSpec, 'jobId' | 'label' | 'maxOutputBytes' | 'base'>,
  ): void {
    if (this.runs.has(run)) return;
    const { jobId, label } = spec;
    const dir = this.host.jobDir(jobId);
    const mirror = new OutputMirror(dir, spec.maxOutputBytes, spec.base);
    const entry: Followed = {
      run,
      jobId,
      label,
      mirror,
      worker: null,
      kill: null,
      announced: false,
      ended: false,
      endWaiters: [],
    };
    this.runs.set(run, entry);
    this.follower?.follow(run);
  }

  private async onOutput(run: string, stream: OutputStream, chunks: OutputChunk[]): Promise<void> {
    const entry = this.runs.get(run);
    if (!entry || entry.ended) return;
    for (const chunk of chunks) entry.mirror.write(stream, chunk.offset, chunk.data);
    await entry.mirror.punch();
    if (chunks.length > 0) this.host.output(entry.jobId);
  }

  private async onEvent(run: string, text: string | undefined): Promise<void> {
    const entry = this.runs.get(run);
    const event = parseMessage(runEventSchema, text);
    if (!entry || entry.ended || !event) return;
    if (event.type === 'start') {
      entry.worker = { name: event.worker, host: event.host };
      entry.announced = true;
      this.host.started(entry.jobId, { ...entry.worker, pid: event.pid, at: event.at });
      // A kill asked for while the run was being started reaches it now.
      if (entry.kill) await this.sendControl(event.worker, entry.kill);
    } else if (event.type === 'ready') {
      this.host.ready(entry.jobId, event.state, event.match);
    } else if (event.type === 'ports') {
      this.host.ports?.(entry.jobId, event.ports);
    } else {
      entry.worker ??= { name: event.worker, host: event.host };
      // Everything the worker sent before its end is read before the end is recorded.
      await this.follower?.drainOutput(run);
      await this.finish(entry, {
        exitCode: event.exit_code,
        signal: event.signal,
        stop: event.stop,
        error: event.error,
        lost: null,
        neverStarted: false,
      });
    }
  }

  private async finish(entry: Followed, end: Omit<RemoteRunEnd, 'worker'>): Promise<void> {
    if (entry.ended) return;
    entry.ended = true;
    this.follower?.unfollow(entry.run);
    await entry.mirror.punch(true).catch(() => undefined);
    entry.mirror.close();
    this.runs.delete(entry.run);
    this.host.ended(entry.jobId, { ...end, worker: entry.worker });
    for (const wake of entry.endWaiters.splice(0)) wake();
    const redis = this.connected();
    await redis
      .multi()
      .hset(this.keys.run(entry.run), 'done', '1', ...(end.lost === null ? [] : ['abandoned', '1']))
      .expire(this.keys.run(entry.run), KEEP_ENDED_S)
      .del(
        this.keys.events(entry.run),
        this.keys.output(entry.run, 'stdout'),
        this.keys.output(entry.run, 'stderr'),
      )
      .exec()
      .catch((error: unknown) =>
        this.report(`bgjobs: cleaning up remote run ${entry.run}: ${String(error)}`),
      );
  }

  private async sendControl(worker: string, message: ControlMessage): Promise<void> {
    await this.connected().xadd(
      this.keys.control(worker),
      'MAXLEN',
      '~',
      10_000,
      '*',
      'm',
      JSON.stringify(message),
    );
  }

  private find(jobId: string): Followed | undefined {
    for (const entry of this.runs.values()) if (entry.jobId === jobId) return entry;
    return undefined;
  }

  private connected(): Redis {
    if (!this.redis) throw new BgError(ErrorCode.internal, 'Remote jobs are not started.');
    return this.redis;
  }
}
