import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

import { WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

import { bullConnection, connect, disconnect } from '../redis.js';
import {
  runKeySchema,
  runPayloadSchema,
  wireKeys,
  WIRE_VERSIONS,
  type ControlMessage,
  type RunPayload,
  type WireKeys,
} from '../wire.js';
import { ControlReader } from './control.js';
import { PortWatch } from './port-watch.js';
import { ReadyProbe } from './ready-probe.js';
import { closeRunStdin, writeRunInput } from './local-run.js';
import { beat, claimName, leave, type PresenceInfo } from './presence.js';
import { loadRecords, removeRun, workerPaths, type WorkerPaths } from './run-record.js';
import { WorkerRuns } from './runs.js';
import { Slots } from './slots.js';
import { startClaimed } from './start.js';

export interface RemoteWorkerOptions {
  redisUrl: URL;
  labels: string[];
  concurrency: number;
  name: string;
  home: string;
  /** The worker's own environment: the base of its jobs' and where `env_from_worker` looks. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where a job without a cwd of its own runs. */
  defaultCwd: string;
  /** The bgjobs CLI script that runs a prompt (`prompt-exec`); this process's by default. */
  cli?: string;
  prefix?: string;
  heartbeatMs?: number;
  report?: (message: string) => void;
}

const CHECK_MS = 250;

/**
 * `bgjobs worker`: takes jobs for its labels from their BullMQ queues and runs each one as a
 * local job runs (see local-run.ts), in its own BGJOBS_HOME; reports start, output and end
 * through Redis; heartbeats; takes control messages; and re-adopts the runs a previous
 * process of the same name, host and home left running.
 *
 * @example
 * const worker = new RemoteWorker({ redisUrl, labels: ['gpu'], concurrency: 4, name: 'box1', … });
 * await worker.start();
 * await worker.stop(); // its running jobs go on under their monitors
 */
export class RemoteWorker {
  readonly host = hostname();
  private readonly options: RemoteWorkerOptions;
  private readonly keys: WireKeys;
  private readonly paths: WorkerPaths;
  private readonly report: (message: string) => void;
  private readonly slots: Slots;
  private readonly abort = new AbortController();
  private readonly bullWorkers: Worker[] = [];
  private readonly processing = new Set<Promise<string>>();
  private redis: Redis | undefined;
  private runs: WorkerRuns | undefined;
  private control: ControlReader | undefined;
  private readonly probe = new ReadyProbe((payload) => this.announceReady(payload));
  private readonly ports = new PortWatch(async ({ payload }, ports) =>
    this.runs?.publish(payload, { type: 'ports', ports, at: Date.now() }),
  );
  private loops: Promise<void>[] = [];
  private startedAt = Date.now();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: RemoteWorkerOptions) {
    this.options = options;
    this.keys = wireKeys(options.prefix ?? 'bgjobs');
    this.paths = workerPaths(options.home);
    this.report = options.report ?? ((message) => console.error(message));
    this.slots = new Slots(options.concurrency);
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 2000;
  }

  private get info(): PresenceInfo {
    const { name, home, labels, concurrency } = this.options;
    return { name, host: this.host, home, labels, concurrency, startedAt: this.startedAt };
  }

  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const { redisUrl, name } = this.options;
    const redis = connect(redisUrl, 'command');
    this.redis = redis;
    const ttl = this.heartbeatMs * 5;
    await claimName(redis, this.keys, this.info, ttl);
    const runs = new WorkerRuns({
      redis,
      keys: this.keys,
      paths: this.paths,
      me: { name, host: this.host },
      onLeave: (run) => {
        this.probe.forget(run);
        this.ports.forget(run);
        this.slots.release();
      },
      report: this.report,
    });
    this.runs = runs;
    await this.adopt(runs);
    await beat(redis, this.keys, this.info, runs.size, ttl);
    this.control = new ControlReader({
      redis: connect(redisUrl, 'blocking'),
      key: this.keys.control(name),
      handle: (message) => this.handle(message),
      report: this.report,
    });
    this.control.start();
    this.loops.push(
      this.every(this.heartbeatMs, () => beat(redis, this.keys, this.info, runs.size, ttl)),
    );
    this.loops.push(
      this.every(CHECK_MS, async () => {
        runs.checkAll();
        this.probe.probeAll();
        this.ports.lookAll(runs.records());
      }),
    );
    for (const label of this.options.labels) this.bullWorkers.push(this.bullWorker(label));
  }

  /** Takes back the runs a previous process left: still running, or ended but not reported. */
  private async adopt(runs: WorkerRuns): Promise<void> {
    for (const record of loadRecords(this.paths, this.report)) {
      if (record.endSent) {
        removeRun(this.paths, record.payload.run);
        continue;
      }
      if (record.monitorPid === null && record.startError === null) {
        record.startError = 'the worker stopped while starting the job';
      }
      this.slots.force();
      await runs.follow(record);
      this.probe.watch(record.payload);
    }
  }

  private bullWorker(label: string): Worker {
    const worker = new Worker(this.keys.queueName(label), (job, token) => this.track(job, token), {
      connection: bullConnection(this.options.redisUrl),
      prefix: this.keys.bullPrefix,
      // One claim at a time per label; it waits here for a free slot, so a full worker holds
      // at most one claimed job per label that another worker could have taken.
      concurrency: 1,
      maxStalledCount: 5,
      removeOnComplete: { count: 0 },
      removeOnFail: { age: 3600 },
    });
    worker.on('error', (error) => this.report(`bgjobs worker: queue ${label}: ${String(error)}`));
    return worker;
  }

  private track(job: Job, token: string | undefined): Promise<string> {
    const processing = this.process(job, token);
    this.processing.add(processing);
    void processing.catch(() => undefined).finally(() => this.processing.delete(processing));
    return processing;
  }

  /** BullMQ's processor: waits for a slot, claims the run, starts it, and returns. */
  private async process(job: Job, token: string | undefined): Promise<string> {
    const parsed = runPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      const { v: version, run } = (job.data ?? {}) as { v?: unknown; run?: unknown };
      const error =
        typeof version !== 'number' || !WIRE_VERSIONS.includes(version)
          ? `worker ${this.options.name} speaks wire versions ${WIRE_VERSIONS.join(' and ')}, the job has ${String(version)}: run the same bgjobs version on both sides`
          : `the job's payload does not fit the wire schema: ${parsed.error.message}`;
      // The daemon hears of it on the run's event stream, if the payload names a run.
      if (runKeySchema.safeParse(run).success && this.redis) {
        const end = { type: 'end', worker: this.options.name, host: this.host, exit_code: null };
        const rest = { signal: null, stop: null, error, stdout_bytes: 0, stderr_bytes: 0 };
        const message = JSON.stringify({ ...end, ...rest, at: Date.now() });
        await this.redis.xadd(this.keys.events(String(run)), '*', 'm', message);
      }
      throw new Error(error);
    }
    if (!(await this.slots.take())) {
      // Closing while waiting: the job goes back to its queue for another worker.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const runs = this.runs;
    const redis = this.redis;
    if (!runs || !redis) throw new Error('the worker is not started');
    const started = await startClaimed({
      redis,
      keys: this.keys,
      paths: this.paths,
      runs,
      payload: parsed.data,
      me: { name: this.options.name, host: this.host },
      home: this.options.home,
      env: this.options.env,
      defaultCwd: this.options.defaultCwd,
      cli: this.options.cli ?? process.argv[1] ?? 'bgjobs',
      report: this.report,
    }).catch((error: unknown) => {
      this.slots.release();
      throw error;
    });
    if (!started) this.slots.release();
    else this.probe.watch(parsed.data);
    return started ? 'started' : 'skipped';
  }

  private async announceReady(payload: RunPayload): Promise<void> {
    const { port, url } = payload.ready ?? {};
    const where = `on ${this.host} (worker ${this.options.name})`;
    const match =
      port !== undefined
        ? `port ${port} accepts connections ${where}`
        : `${url} answered 2xx ${where}`;
    await this.runs?.publish(payload, { type: 'ready', state: 'ready', match, at: Date.now() });
  }

  private async handle(message: ControlMessage): Promise<void> {
    const record = this.runs?.get(message.run);
    if (!record) return;
    if (message.op === 'input') await writeRunInput(record, Buffer.from(message.data), 10_000);
    else if (message.op === 'close_stdin') closeRunStdin(record);
    else
      this.runs?.stop(
        message.run,
        message.reason,
        message.signal as NodeJS.Signals,
        message.grace_ms,
      );
  }

  /** A background loop: runs STEP every MS until stop; reports a failure once per streak. */
  private async every(ms: number, step: () => Promise<unknown>): Promise<void> {
    let failing = false;
    while (!this.abort.signal.aborted) {
      try {
        await step();
        failing = false;
      } catch (error) {
        if (!failing) this.report(`bgjobs worker: ${String(error)} (retrying)`);
        failing = true;
      }
      await delay(ms, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  /** Stops taking jobs and lets go; the jobs it runs go on under their monitors. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.slots.close();
    // Starts under way finish first; then the queues are left without waiting out BullMQ's
    // blocking fetch (a claim it makes meanwhile goes back to its queue when its lock expires).
    await Promise.allSettled([...this.processing]);
    await Promise.allSettled(this.bullWorkers.map((worker) => worker.close(true)));
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await this.control?.stop();
    await this.runs?.close();
    if (this.redis) {
      await leave(this.redis, this.keys, this.options.name).catch(() => undefined);
      await disconnect(this.redis);
    }
  }
}
