import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Config } from '../config.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { OutputCapper } from '../logs/cap.js';
import { jobDir } from '../job-folder/paths.js';
import { readScreenFile } from '../logs/screen.js';
import { readStream, searchStream, tailStream } from '../logs/reader.js';
import { portsOf } from '../procfs/ports.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { JobStore } from '../store/store.js';
import {
  callerSchema,
  parseInput,
  type CallOptions,
  type JobsApi,
  type WatchOptions,
} from '../api/contract.js';
import {
  removeInputSchema,
  type InteractInput,
  type InteractResult,
  type KillInput,
  type KillResult,
  type RemoveInput,
  type RemoveResult,
  type WaitInput,
  type WaitResult,
} from '../api/control.js';
import { isFinal } from '../api/job.js';
import {
  listInputSchema,
  statusInputSchema,
  type ListInput,
  type ListResult,
  type StatusInput,
  type StatusResult,
} from '../api/listing.js';
import {
  outputInputSchema,
  searchInputSchema,
  tailInputSchema,
  type OutputInput,
  type OutputResult,
  type SearchInput,
  type SearchResult,
  type StreamRead,
  type TailInput,
  type TailResult,
} from '../api/read.js';
import type { ExecuteInput, ExecuteResult, PromptInput } from '../api/start.js';
import { decideOutcome, type JobRecord, type Outcome } from './model.js';
import { JobFolders } from '../job-folder/spares.js';
import { Housekeeper, logBytesOnDisk } from './watchers/housekeeping.js';
import { parseJobRef } from './admission/ids.js';
import { interact } from './verbs/interact.js';
import { LlmJobs } from './runners/prompt/prompt-runner.js';
import { projectOf } from './admission/project.js';
import { isSessionAlive } from './watchers/sessions.js';
import { toStatus, toSummary } from './verbs/present.js';
import { fileSize, Supervisor } from './runners/shell/shell-runner.js';
import { waitForJobs } from './verbs/wait.js';
import { Readiness } from './watchers/readiness.js';
import { executeJob } from './verbs/execute.js';
import { killJob } from './verbs/kill.js';
import { watchJobs } from './verbs/watch.js';
import { promptJob } from './verbs/prompt.js';
import { Queue } from './scheduling/queue.js';
import { requeue, shouldRetry } from './scheduling/retry.js';

type Stream = 'stdout' | 'stderr';
const SESSION_CHECK_MS = 1000;
const STREAMS: readonly Stream[] = ['stdout', 'stderr'];

/** The streams a read asks for: one of them, or both. */
const streamsOf = (which: Stream | 'both'): readonly Stream[] =>
  which === 'both' ? STREAMS : [which];

/**
 * The engine: bgjobs' `JobsApi` in-process. It owns the store (the one writer), the queue and
 * its concurrency limit, timeouts, output caps and retention. The daemon serves it over a
 * socket; tests and embedders can use it directly.
 *
 * @example
 * const engine = await Engine.open(loadConfig());
 * const { job_id } = await engine.execute({ command: 'make test' });
 * const result = await engine.wait({ job_id, timeout_s: 30 });
 * await engine.close(); // jobs keep running
 */
export class Engine implements JobsApi {
  readonly config: Config;
  readonly store: JobStore;
  readonly supervisor: Supervisor;
  private readonly capper: OutputCapper;
  readonly housekeeper: Housekeeper;
  private readonly readiness: Readiness;
  private readonly queue: Queue;
  readonly llm: LlmJobs;
  private readonly folders: JobFolders;
  private sessionTimer: NodeJS.Timeout | undefined;
  private readonly endingSessions = new Set<string>();
  private closing: Promise<void> | undefined;

  private constructor(config: Config, store: JobStore) {
    this.config = config;
    this.store = store;
    this.supervisor = new Supervisor(store, (id) => this.dirOf(id));
    this.capper = new OutputCapper();
    this.housekeeper = new Housekeeper(this, config);
    this.readiness = new Readiness(this);
    this.llm = new LlmJobs(this);
    this.folders = new JobFolders(join(config.home, 'jobs'));
    this.queue = new Queue(
      store,
      {
        shell: {
          running: () => this.supervisor.runningCount,
          limit: () => config.maxJobs,
          start: (job) => this.supervisor.start(job),
        },
        llm: {
          running: () => this.llm.count(),
          limit: () => config.maxLlmJobs,
          start: (job) => this.llm.start(job),
        },
      },
      (job) => this.supervisor.emit('ended', job),
    );
    this.supervisor.retry = (job, outcome) => this.retryLater(job, outcome);
    this.supervisor.on('started', (job) => this.trackOutput(job));
    this.supervisor.on('ended', (job) => this.onEnded(job));
    this.supervisor.on('timeout', (job) => void this.stopForTimeout(job));
  }

  /** Opens BGJOBS_HOME (made private to the user), takes its lock and re-adopts its jobs. */
  static async open(config: Config): Promise<Engine> {
    mkdirSync(join(config.home, 'jobs'), { recursive: true, mode: 0o700 });
    chmodSync(config.home, 0o700);
    const store = SqliteStore.open(join(config.home, 'bgjobs.db'), { exclusive: true });
    const engine = new Engine(config, store);
    engine.reconcile();
    engine.capper.start();
    engine.housekeeper.start();
    engine.readiness.start();
    engine.sessionTimer = setInterval(() => void engine.endOrphanedSessions(), SESSION_CHECK_MS);
    engine.sessionTimer.unref();
    await engine.pump();
    return engine;
  }

  /** Stops watching; running jobs go on under their monitors and are re-adopted next time. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.queue.closed = true;
      await this.llm.close();
      clearInterval(this.sessionTimer);
      await this.housekeeper.stop();
      await this.readiness.stop();
      await this.capper.stop();
      await this.supervisor.close();
      await this.folders.close();
      this.store.close();
    })();
    return this.closing;
  }

  /** True when nothing runs or waits: the daemon may stop. */
  isIdle(): boolean {
    return (
      this.supervisor.runningCount === 0 &&
      this.llm.count() === 0 &&
      this.store.countByStatus('queued') === 0
    );
  }

  isClosing(): boolean {
    return this.closing !== undefined;
  }

  dirOf(id: string): string {
    return jobDir(this.config.home, id);
  }

  /** Makes a new job's folder, with empty stdout and stderr when a spare was ready. */
  makeDir(id: string): string {
    return this.folders.make(this.dirOf(id));
  }

  // ── the API ──────────────────────────────────────────────────────────────────────────────

  execute(input: ExecuteInput, options: CallOptions = {}): Promise<ExecuteResult> {
    return executeJob(this, input, options);
  }

  async list(raw: ListInput, options: CallOptions = {}): Promise<ListResult> {
    const input = parseInput(listInputSchema, raw);
    const statuses = input.status === undefined ? undefined : [input.status].flat();
    const caller = options.caller;
    // Scoped to the caller's project (its git root, or a client root) unless all are asked for.
    const project = input.all || !caller ? null : projectOf(caller.cwd, caller.roots);
    const { jobs, total } = this.store.list({
      statuses,
      name: input.name,
      project: project ?? undefined,
      limit: input.limit,
    });
    return { jobs: jobs.map((job) => toSummary(job)), total, project };
  }

  async status(raw: StatusInput): Promise<StatusResult> {
    const job = this.resolve(parseInput(statusInputSchema, raw).job_id);
    return Promise.resolve(this.present(job));
  }

  async output(raw: OutputInput, options: CallOptions = {}): Promise<OutputResult> {
    const input = parseInput(outputInputSchema, raw);
    const job = this.resolveWithLogs(input.job_id);
    const reader = callerSchema.shape.reader.parse(options.caller?.reader);
    const reads: Partial<Record<Stream, StreamRead & { text: string }>> = {};
    for (const stream of streamsOf(input.stream)) {
      const explicit = stream === 'stdout' ? input.stdout_offset : input.stderr_offset;
      const offset =
        explicit ?? (input.new_only ? this.store.getCursor(job.id, reader, stream) : undefined);
      const read = readStream(join(this.dirOf(job.id), stream), job.maxOutputBytes, {
        offset,
        maxBytes: input.max_bytes,
        raw: input.raw,
        final: isFinal(job.status),
      });
      this.store.setCursor(job.id, reader, stream, read.next_offset);
      reads[stream] = read;
    }
    const strip = (read: (StreamRead & { text: string }) | undefined): StreamRead | null =>
      read
        ? {
            start: read.start,
            next_offset: read.next_offset,
            size: read.size,
            dropped: read.dropped,
            more: read.more,
          }
        : null;
    return {
      job_id: job.id,
      status: job.status,
      stdout: reads.stdout?.text ?? '',
      stderr: reads.stderr?.text ?? '',
      stdout_read: strip(reads.stdout),
      stderr_read: strip(reads.stderr),
      more: Boolean(reads.stdout?.more || reads.stderr?.more),
      screen: input.screen ? await this.screenOf(job) : null,
    };
  }

  async tail(raw: TailInput): Promise<TailResult> {
    const input = parseInput(tailInputSchema, raw);
    const job = this.resolveWithLogs(input.job_id);
    const result: TailResult = {
      job_id: job.id,
      status: job.status,
      stdout: '',
      stderr: '',
      truncated: false,
      screen: await this.screenOf(job),
    };
    for (const stream of streamsOf(input.stream)) {
      const tail = tailStream(join(this.dirOf(job.id), stream), job.maxOutputBytes, input.lines, {
        raw: input.raw,
      });
      result[stream] = tail.text;
      result.truncated ||= tail.truncated;
    }
    return Promise.resolve(result);
  }

  async search(raw: SearchInput): Promise<SearchResult> {
    const input = parseInput(searchInputSchema, raw);
    const job = this.resolveWithLogs(input.job_id);
    const result: SearchResult = {
      job_id: job.id,
      status: job.status,
      matches: [],
      truncated: false,
    };
    for (const stream of streamsOf(input.stream)) {
      const left = input.max_matches - result.matches.length;
      if (left <= 0) {
        result.truncated = true;
        break;
      }
      const found = await searchStream(
        join(this.dirOf(job.id), stream),
        job.maxOutputBytes,
        input.pattern,
        {
          ignoreCase: input.ignore_case,
          context: input.context,
          maxMatches: left,
          stream,
        },
      );
      result.matches.push(...found.matches);
      result.truncated ||= found.truncated;
    }
    return result;
  }

  interact(input: InteractInput, options: CallOptions = {}): Promise<InteractResult> {
    return interact(this, input, options);
  }

  kill(input: KillInput): Promise<KillResult> {
    return killJob(this, input);
  }

  prompt(input: PromptInput, options: CallOptions = {}): Promise<ExecuteResult> {
    return promptJob(this, input, options);
  }

  watch(options: WatchOptions): Promise<void> {
    return watchJobs(this, options);
  }

  wait(input: WaitInput, options: CallOptions = {}): Promise<WaitResult> {
    return waitForJobs(this, input, options);
  }

  async remove(raw: RemoveInput): Promise<RemoveResult> {
    const input = parseInput(removeInputSchema, raw);
    let job = this.resolve(input.job_id);
    if (!isFinal(job.status)) {
      if (!input.force) {
        throw new BgError(
          ErrorCode.stillRunning,
          `Job ${job.id} is ${job.status}. Kill it first, or remove it with force: true to kill and remove it.`,
        );
      }
      await this.kill({ job_id: job.id });
      job = this.resolve(job.id);
    }
    const freed = logBytesOnDisk(this.dirOf(job.id));
    this.capper.untrack(job.id);
    rmSync(this.dirOf(job.id), { recursive: true, force: true });
    this.store.delete(job.id);
    return {
      job_id: job.id,
      removed: true,
      freed_bytes: freed,
      message: `Removed job ${job.id} and its logs.`,
    };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  /** Finds a job by id or name; refuses anything that is neither with a clear message. */
  resolve(ref: string): JobRecord {
    const { id, name } = parseJobRef(ref);
    const job =
      (id !== undefined ? this.store.get(id) : undefined) ??
      (name !== undefined ? this.store.findByName(name) : undefined);
    if (!job) {
      throw new BgError(
        ErrorCode.notFound,
        `No job "${ref}". Call list to see the jobs there are.`,
        { data: { job_id: ref } },
      );
    }
    return job;
  }

  present(job: JobRecord): StatusResult {
    const dir = this.dirOf(job.id);
    const live = !isFinal(job.status);
    // One scan of the process table serves both the input wait and the ports.
    const members = job.status === 'running' ? this.supervisor.members(job) : [];
    return toStatus(job, {
      stdoutBytes: live ? fileSize(join(dir, 'stdout')) : job.stdoutBytes,
      stderrBytes: live ? fileSize(join(dir, 'stderr')) : job.stderrBytes,
      queuePosition: job.status === 'queued' ? this.queuePosition(job) : null,
      waitingForInput: job.status === 'running' && this.supervisor.waitingForInput(job, members),
      ports: portsOf(members),
      now: Date.now(),
    });
  }

  /** A pty job's visible terminal screen, played from its output; null for other jobs. */
  async screenOf(job: JobRecord): Promise<string | null> {
    if (job.pty === null) return null;
    return (await readScreenFile(join(this.dirOf(job.id), 'stdout'), job.maxOutputBytes, job.pty))
      .text;
  }

  private resolveWithLogs(ref: string): JobRecord {
    const job = this.resolve(ref);
    if (job.logsEvicted) {
      throw new BgError(
        ErrorCode.notFound,
        `The output of job ${job.id} was removed to keep the logs under BGJOBS_MAX_TOTAL_OUTPUT; its status is still available.`,
      );
    }
    return job;
  }

  queuePosition(job: JobRecord): number {
    return this.queue.position(job);
  }

  /** Starts queued jobs while slots are free (see Queue). */
  pump(wanted?: string): Promise<JobRecord | undefined> {
    return this.queue.pump(wanted);
  }

  /** After a daemon restart: every job the store thinks runs is re-adopted or settled. */
  private reconcile(): void {
    for (const job of this.store.withStatus(['running'])) {
      if (job.kind === 'llm') {
        this.reconcilePrompt(job);
        continue;
      }
      this.supervisor.adopt(job);
      const after = this.store.get(job.id);
      if (after?.status === 'running') this.trackOutput(after);
    }
  }

  /**
   * A prompt job that was answering when the last daemon died: its answer is gone with that
   * daemon. It is tried again while it has retries left, else it is lost — never left running.
   */
  private reconcilePrompt(job: JobRecord): void {
    const reason = 'the daemon stopped while the model was answering';
    if (job.stopRequest === null && job.attempt <= job.retries) {
      requeue(
        this.store,
        this.dirOf(job.id),
        job,
        { status: 'failed', exitCode: null, signal: null, reason },
        0,
      );
      return;
    }
    const outcome = decideOutcome(undefined, job.stopRequest, reason);
    this.store.update(job.id, {
      status: outcome.status,
      reason: outcome.reason,
      endedAt: Date.now(),
    });
  }

  /** A run has started (or was re-adopted): cap its output and watch for readiness. */
  private trackOutput(job: JobRecord): void {
    const dir = this.dirOf(job.id);
    this.capper.track(job.id, [join(dir, 'stdout'), join(dir, 'stderr')], job.maxOutputBytes);
    this.readiness.watch(job);
  }

  private onEnded(job: JobRecord): void {
    this.capper.untrack(job.id);
    this.readiness.unwatch(job.id);
    this.housekeeper.soon();
    void this.pump();
  }

  /**
   * Stops a live job for REASON, however it is held: a queued job ends without running, a
   * prompt's request to its model is aborted, a command's whole process tree is signalled.
   */
  async stopJob(
    job: JobRecord,
    reason: 'kill' | 'timeout' | 'session',
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<{ escalated: boolean }> {
    if (job.status === 'queued') {
      const outcome = decideOutcome(undefined, reason, 'before it started');
      this.store.update(job.id, {
        status: outcome.status,
        stopRequest: reason,
        reason: outcome.reason,
        endedAt: Date.now(),
      });
      this.supervisor.emit('ended', this.resolve(job.id));
      return { escalated: false };
    }
    if (job.kind === 'llm') {
      await this.llm.stop(job.id, reason);
      return { escalated: false };
    }
    return this.supervisor.stop(job.id, reason, signal, graceMs);
  }

  /** Queues a failed job with retries left for its next attempt, and wakes the queue then. */
  retryLater(job: JobRecord, outcome: Outcome, delayMs?: number): boolean {
    if (!shouldRetry(job, outcome)) return false;
    const queued = requeue(this.store, this.dirOf(job.id), job, outcome, delayMs);
    this.capper.untrack(job.id);
    this.readiness.unwatch(job.id);
    if (queued) this.supervisor.emit('retrying', queued);
    const wake = setTimeout(
      () => void this.pump(),
      Math.max(0, (queued?.retryAt ?? 0) - Date.now()) + 5,
    );
    wake.unref();
    void this.pump();
    return true;
  }

  /** Stops the `lifetime: "session"` jobs whose MCP session (its server process) is gone. */
  private async endOrphanedSessions(): Promise<void> {
    const live = this.store.withStatus(['queued', 'running']);
    for (const job of live) {
      if (job.lifetime !== 'session' || job.sessionId === null) continue;
      if (this.endingSessions.has(job.id) || isSessionAlive(job.sessionId)) continue;
      this.endingSessions.add(job.id);
      try {
        await this.stopJob(job, 'session', 'SIGTERM', this.config.killGraceS * 1000);
      } catch (error) {
        process.emitWarning(`bgjobs: stopping session job ${job.id} failed: ${String(error)}`);
      } finally {
        this.endingSessions.delete(job.id);
      }
    }
  }

  private async stopForTimeout(job: JobRecord): Promise<void> {
    try {
      await this.supervisor.stop(job.id, 'timeout', 'SIGTERM', this.config.killGraceS * 1000);
    } catch (error) {
      process.emitWarning(`bgjobs: stopping job ${job.id} at its timeout failed: ${String(error)}`);
    }
  }
}
