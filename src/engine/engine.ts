import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { CallOptions, JobsApi, WatchOptions } from '../api/contract.js';
import type { InteractInput, InteractResult, KillInput, KillResult } from '../api/control.js';
import type { RemoveInput, RemoveResult, WaitInput, WaitResult } from '../api/control.js';
import type { ListInput, ListResult, StatusInput, StatusResult } from '../api/listing.js';
import type { OutputInput, OutputResult, SearchInput, SearchResult } from '../api/read.js';
import type { TailInput, TailResult } from '../api/read.js';
import type { ExecuteInput, ExecuteResult, PromptInput } from '../api/start.js';
import { isFinal } from '../api/job.js';
import type { Config } from '../config.js';
import { DiskReserve } from '../disk/reserve.js';
import { JobCgroups } from '../procfs/cgroup.js';
import { JobFolders } from '../job-folder/folders.js';
import { SpareMonitors } from '../monitor/spares.js';
import { jobsRoot } from '../job-folder/paths.js';
import { OutputCapper } from '../logs/cap.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { JobStore } from '../store/store.js';
import type { EngineContext } from './context.js';
import { JobEvents } from './events.js';
import { Lifecycle } from './lifecycle.js';
import { PromptRunner } from './runners/prompt/prompt-runner.js';
import { ShellRunner } from './runners/shell/shell-runner.js';
import { Queue, type Runners } from './scheduling/queue.js';
import { resumeStops, stopJob, type StopDeps } from './stop.js';
import { Transitions } from './transitions.js';
import { checkRedisUrl } from '../remote/redis-url.js';
import { loadRedis, RemoteRunner, type RemoteRunnerOptions } from '../remote/remote-runner.js';
import { executeJob } from './verbs/execute.js';
import { interact } from './verbs/interact.js';
import { killJob } from './verbs/kill.js';
import { jobStatus, listJobs } from './verbs/list-status.js';
import { promptJob } from './verbs/prompt.js';
import { readOutput, readTail, searchOutput } from './verbs/read.js';
import { ReadPositions } from './verbs/read-positions.js';
import { removeJob } from './verbs/remove.js';
import { waitForJobs } from './verbs/wait.js';
import { watchJobs } from './verbs/watch.js';
import { Housekeeper } from './watchers/housekeeping.js';
import { OutputGrowth } from './watchers/output-growth.js';
import { Readiness } from './watchers/readiness.js';
import { SessionReaper } from './watchers/sessions.js';
import { Timeouts } from './watchers/timeouts.js';

/** The jobs' cgroups (when the system gives any), without the empty ones of ended jobs. */
function openCgroups(config: Config, store: JobStore): JobCgroups | null {
  const cgroups = config.cgroups ? JobCgroups.forHome(config.home) : null;
  cgroups?.sweep((id) => {
    const job = store.get(id);
    return job !== undefined && !isFinal(job.status);
  });
  return cgroups;
}

/** Remote jobs handed to Redis at once, at most (workers run them by their own limits). */
const REMOTE_LIMIT = 10_000;

/**
 * The engine: bgjobs' `JobsApi` in-process. This file only builds the parts and forwards each
 * verb to its module; see the README's "How it is built" for the walk through. The daemon
 * serves it over a socket; tests and embedders can use it directly.
 *
 * @example
 * const engine = await Engine.open(loadConfig());
 * const { job_id } = await engine.execute({ command: 'make test' });
 * const result = await engine.wait({ job_id, timeout_s: 30 });
 * await engine.close(); // jobs keep running
 */
export class Engine implements JobsApi {
  readonly config: Config;
  /** Read access for embedders and tests; status is written by the transitions module only. */
  readonly store: JobStore;
  readonly folders: JobFolders;
  readonly events = new JobEvents();
  readonly housekeeper: Housekeeper;
  private readonly ctx: EngineContext;
  private readonly runners: Runners;
  private readonly queue: Queue;
  private readonly capper = new OutputCapper();
  private readonly readiness: Readiness;
  private readonly timeouts: Timeouts;
  private readonly growth: OutputGrowth;
  private readonly reserve: DiskReserve;
  private readonly cgroups: JobCgroups | null;
  private readonly spares: SpareMonitors | null;
  private reaper: SessionReaper | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    config: Config,
    store: JobStore,
    reserve: DiskReserve,
    redis: RemoteRunnerOptions['redis'],
  ) {
    this.config = config;
    this.store = store;
    this.reserve = reserve;
    const folders = (this.folders = new JobFolders(config.home));
    this.spares =
      config.spareMonitors > 0
        ? new SpareMonitors(jobsRoot(config.home), config.spareMonitors)
        : null;
    const events = this.events;
    const transitions = new Transitions(store, events, folders);
    const lifecycle = new Lifecycle(store, transitions, (ms) => this.wakeAfter(ms));
    const runners = (this.runners = {
      shell: new ShellRunner({
        store,
        folders,
        host: lifecycle,
        limit: () => config.maxJobs,
        cgroups: (this.cgroups = openCgroups(config, store)),
        spares: this.spares,
      }),
      llm: new PromptRunner({
        store,
        folders,
        host: lifecycle,
        limit: () => config.maxLlmJobs,
        idleTimeoutS: config.llmIdleTimeoutS,
      }),
      // Workers on other machines hold their own limits; the daemon only hands jobs over.
      remote: new RemoteRunner({
        store,
        folders,
        host: lifecycle,
        home: config.home,
        redis,
        workerTimeoutMs: config.workerTimeoutS * 1000,
        limit: () => REMOTE_LIMIT,
      }),
    });
    this.queue = new Queue(store, runners, transitions);
    this.ctx = {
      config,
      store,
      folders,
      events,
      transitions,
      queue: this.queue,
      runners,
      readers: new ReadPositions(),
      stop: (job, reason, signal, graceMs) =>
        stopJob(this.stopDeps(), job, reason, signal, graceMs),
    };
    this.readiness = new Readiness(store, folders, transitions, events);
    this.housekeeper = new Housekeeper(store, folders, config, events);
    this.timeouts = new Timeouts(events, (job) => this.stopFor(job, 'timeout'));
    this.growth = new OutputGrowth(store, folders, events);
    events.on('started', (job) => {
      const { stdout, stderr } = folders.paths(job.id);
      this.capper.track(job.id, [stdout, stderr], job.maxOutputBytes);
    });
    events.on('retried', (job) => this.capper.untrack(job.id));
    events.on('ended', (job) => {
      const { stdout, stderr } = folders.paths(job.id);
      // Also a job that ended while no daemon watched it: its logs are capped now.
      this.capper.finish(job.id, [stdout, stderr], job.maxOutputBytes);
      // A turn that fails (a full disk) is reported by the queue and tried on the next end.
      this.queue.pump().catch(() => undefined);
    });
  }

  /** Opens BGJOBS_HOME (made private to the user), takes its lock and re-adopts its jobs. */
  static async open(config: Config): Promise<Engine> {
    mkdirSync(jobsRoot(config.home), { recursive: true, mode: 0o700 });
    chmodSync(config.home, 0o700);
    // Room a write can have back when the disk is full, so a job's end is still recorded.
    const redis = await loadRedis(
      config.redisUrl === undefined ? undefined : checkRedisUrl(config.redisUrl),
    );
    const reserve = new DiskReserve(join(config.home, 'reserve'));
    const store = SqliteStore.open(join(config.home, 'bgjobs.db'), {
      exclusive: true,
      makeRoom: () => reserve.release(),
    });
    reserve.restore();
    const engine = new Engine(config, store, reserve, redis);
    // After a daemon restart: every job the store thinks runs is re-adopted or settled.
    for (const job of store.withStatus(['running'])) engine.runners[job.kind].adopt(job);
    void Promise.all(resumeStops(engine.stopDeps(), 'SIGTERM', config.killGraceS * 1000));
    engine.capper.start();
    engine.housekeeper.start();
    engine.reaper = new SessionReaper(store, engine.events, (job) =>
      engine.stopFor(job, 'session'),
    );
    // On a full disk no queued job can start yet; the daemon must come up all the same.
    await engine.queue.pump().catch(() => undefined);
    return engine;
  }

  /** Stops watching; running jobs go on under their monitors and are re-adopted next time. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.queue.closed = true;
      await this.runners.llm.close();
      await this.reaper?.close();
      this.timeouts.close();
      await this.growth.close();
      await this.housekeeper.stop();
      await this.readiness.stop();
      await this.capper.stop();
      await this.runners.shell.close();
      // An idle daemon that stops takes its spares with it: they exit having run nothing.
      await this.spares?.close();
      await this.runners.remote.close();
      await this.folders.close();
      this.reserve.close();
      this.cgroups?.close();
      this.store.close();
    })();
    return this.closing;
  }

  /** How many jobs run now, of every kind. */
  runningCount(): number {
    return Object.values(this.runners).reduce((sum, runner) => sum + runner.running(), 0);
  }

  /** How many spare monitors are ready to take a job now (see monitor/spares.ts). */
  readySpares(): number {
    return this.spares?.readyCount ?? 0;
  }

  /** True when nothing runs or waits: the daemon may stop. */
  isIdle(): boolean {
    return this.runningCount() === 0 && this.store.countByStatus('queued') === 0;
  }

  // ── the API: one line each ───────────────────────────────────────────────────────────────

  execute(input: ExecuteInput, options: CallOptions = {}): Promise<ExecuteResult> {
    return executeJob(this.ctx, input, options);
  }
  prompt(input: PromptInput, options: CallOptions = {}): Promise<ExecuteResult> {
    return promptJob(this.ctx, input, options);
  }
  list(input: ListInput, options: CallOptions = {}): Promise<ListResult> {
    return listJobs(this.ctx, input, options);
  }
  status(input: StatusInput): Promise<StatusResult> {
    return jobStatus(this.ctx, input);
  }
  output(input: OutputInput, options: CallOptions = {}): Promise<OutputResult> {
    return readOutput(this.ctx, input, options);
  }
  tail(input: TailInput): Promise<TailResult> {
    return readTail(this.ctx, input);
  }
  search(input: SearchInput): Promise<SearchResult> {
    return searchOutput(this.ctx, input);
  }
  interact(input: InteractInput, options: CallOptions = {}): Promise<InteractResult> {
    return interact(this.ctx, input, options);
  }
  kill(input: KillInput): Promise<KillResult> {
    return killJob(this.ctx, input);
  }
  wait(input: WaitInput, options: CallOptions = {}): Promise<WaitResult> {
    return waitForJobs(this.ctx, input, options);
  }
  watch(options: WatchOptions): Promise<void> {
    return watchJobs(this.ctx, options);
  }
  remove(input: RemoveInput): Promise<RemoveResult> {
    return removeJob(this.ctx, input);
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private stopDeps(): StopDeps {
    return { store: this.store, transitions: this.ctx.transitions, runners: this.runners };
  }

  private stopFor(job: Parameters<EngineContext['stop']>[0], reason: 'timeout' | 'session') {
    return this.ctx.stop(job, reason, 'SIGTERM', this.config.killGraceS * 1000);
  }

  /** Looks at the queue now, and again after MS (a retry's backoff). */
  private wakeAfter(ms: number): void {
    const pump = (): void => void this.queue.pump().catch(() => undefined);
    setTimeout(pump, ms + 5).unref();
    pump();
  }
}
