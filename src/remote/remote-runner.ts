import type { JobFolders } from '../job-folder/folders.js';
import type { JobStore } from '../store/store.js';
import type { Ending, JobRecord } from '../engine/model.js';
import type { Runner, RunnerHost } from '../engine/runners/runner.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { daemonIdOf } from './daemon/identity.js';
import type { RemoteRuns } from './daemon/remote-runs.js';
import { RETRYABLE_EXIT } from './worker/prompt-run.js';
import type { RemoteJobSpec, RemoteRunEnd } from './daemon/types.js';

export interface RemoteRunnerOptions {
  store: JobStore;
  folders: JobFolders;
  host: RunnerHost;
  home: string;
  /**
   * BGJOBS_REDIS_URL and the class that follows runs through it (see loadRedis); without them
   * a remote job fails to start, saying so.
   */
  redis: { url: URL; RemoteRuns: typeof RemoteRuns } | undefined;
  workerTimeoutMs: number;
  limit: () => number;
}

/**
 * What RemoteRunner needs of Redis, loaded only when BGJOBS_REDIS_URL is set: BullMQ and the
 * Redis client weigh tens of MB that a daemon without workers does not carry.
 */
export async function loadRedis(url: URL | undefined): Promise<RemoteRunnerOptions['redis']> {
  if (url === undefined) return undefined;
  const { RemoteRuns } = await import('./daemon/remote-runs.js');
  return { url, RemoteRuns };
}

/**
 * The third runner: jobs with `on: LABEL` run on a worker with that label (`bgjobs worker`),
 * through Redis (see RemoteRuns). It reports starts and ends to the engine's lifecycle like
 * the shell runner does; the mirrored output lives in the job's folder, so every reader works
 * unchanged.
 */
export class RemoteRunner implements Runner {
  private readonly options: RemoteRunnerOptions;
  private readonly held = new Set<string>();
  /** Services waiting out their backoff before their next run is queued. */
  private readonly restarts = new Map<string, NodeJS.Timeout>();
  private readonly runs: RemoteRuns | undefined;

  constructor(options: RemoteRunnerOptions) {
    this.options = options;
    const { redis, folders, store } = options;
    this.runs =
      redis === undefined
        ? undefined
        : new redis.RemoteRuns({
            redisUrl: redis.url,
            daemonId: daemonIdOf(options.home),
            workerTimeoutMs: options.workerTimeoutMs,
            host: {
              jobDir: (id) => folders.dirOf(id),
              started: (id, worker) => {
                const job = store.get(id);
                if (job?.remote) {
                  store.update(id, {
                    remote: { ...job.remote, worker: { name: worker.name, host: worker.host } },
                  });
                }
              },
              ready: (id, state, match) =>
                this.options.host.ready(id, state, match ?? 'the worker found it ready'),
              ports: (id, ports) => {
                const job = store.get(id);
                if (job?.remote) store.update(id, { remote: { ...job.remote, ports } });
              },
              output: () => undefined,
              ended: (id, end) => this.ended(id, end),
            },
            report: (message) => console.error(message),
          });
  }

  running(): number {
    return this.held.size;
  }

  limit(): number {
    return this.options.limit();
  }

  async start(job: JobRecord): Promise<void> {
    const remote = job.remote;
    if (!this.runs || !remote) {
      this.options.host.runEnded(job, {
        failed: true,
        how: 'could not start: this daemon has no BGJOBS_REDIS_URL, so it cannot reach any worker',
      });
      return;
    }
    this.runs.start();
    this.held.add(job.id);
    await this.launch(job, this.runs);
  }

  /**
   * Queues one run of a job (its first, a retry, a service's restart) as a new run in Redis:
   * recorded first, then queued for any worker of its label.
   */
  private async launch(job: JobRecord, runs: RemoteRuns): Promise<void> {
    const { host, folders, store } = this.options;
    const remote = job.remote;
    if (!remote) return;
    const paths = folders.make(job.id);
    const base = { stdout: folders.sizeOf(paths.stdout), stderr: folders.sizeOf(paths.stderr) };
    const seq = job.runs + 1;
    store.update(job.id, {
      runs: seq,
      runStartedAt: Date.now(),
      nextRestartAt: null,
      readyState: job.ready === null ? null : 'pending',
      readyAt: null,
      readyMatch: null,
      remote: { ...remote, base, worker: null, seq, ports: [] },
    });
    host.started(job.id, base);
    try {
      await runs.enqueue({
        jobId: job.id,
        seq,
        label: remote.on,
        command: job.command,
        cwd: remote.cwd,
        env: job.envOverrides,
        envFromWorker: remote.env_from_worker,
        pty: job.pty,
        timeoutS: job.timeoutS,
        maxOutputBytes: job.maxOutputBytes,
        ready: probedOnWorker(job.ready),
        port: job.port,
        llm: promptOf(job),
        priority: job.priority,
        base,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.report(job.id, { failed: true, how: `could not queue it on Redis: ${message}` });
    }
  }

  async stop(
    job: JobRecord,
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<{ escalated: boolean }> {
    const waiting = this.restarts.get(job.id);
    if (waiting !== undefined) {
      // A service between runs: its next run is simply not queued.
      clearTimeout(waiting);
      this.restarts.delete(job.id);
      this.report(job.id, { how: 'stopped while waiting to restart' });
      return { escalated: false };
    }
    const reason = job.stopRequest === 'timeout' ? 'timeout' : 'kill';
    await this.runs?.stop(job.id, { signal, graceMs, reason });
    return { escalated: false };
  }

  adopt(job: JobRecord): void {
    const remote = job.remote;
    if (!this.runs || !remote) {
      this.options.host.runEnded(job, {
        how: 'this daemon has no BGJOBS_REDIS_URL to follow its remote job',
      });
      return;
    }
    this.runs.start();
    this.held.add(job.id);
    if (job.nextRestartAt !== null) {
      // The previous daemon stopped while this service waited to restart: keep the appointment.
      this.scheduleRun(job.id, Math.max(0, job.nextRestartAt - Date.now()));
      return;
    }
    this.runs.adopt({
      jobId: job.id,
      // A run queued before runs were counted for remote jobs has its attempt in its key.
      seq: remote.seq ?? job.attempt,
      label: remote.on,
      maxOutputBytes: job.maxOutputBytes,
      base: remote.base ?? { stdout: 0, stderr: 0 },
    });
  }

  /** Writes to the remote job's stdin (through its worker). */
  async input(job: JobRecord, data: string): Promise<void> {
    if (!this.runs)
      throw new BgError(
        ErrorCode.notRunning,
        `Job ${job.id} cannot be reached: no BGJOBS_REDIS_URL.`,
      );
    await this.runs.input(job.id, data);
  }

  async closeInput(job: JobRecord): Promise<void> {
    if (!this.runs)
      throw new BgError(
        ErrorCode.notRunning,
        `Job ${job.id} cannot be reached: no BGJOBS_REDIS_URL.`,
      );
    await this.runs.closeStdin(job.id);
  }

  async close(): Promise<void> {
    for (const timer of this.restarts.values()) clearTimeout(timer);
    this.restarts.clear();
    await this.runs?.close();
    this.held.clear();
  }

  private ended(id: string, end: RemoteRunEnd): void {
    const job = this.options.store.get(id);
    // The ports its worker reported were the ended run's.
    if (job?.remote?.ports?.length) {
      this.options.store.update(id, { remote: { ...job.remote, ports: [] } });
    }
    this.report(id, endingOf(end, job?.remote?.kind === 'llm'));
  }

  /**
   * Reports a run's end to the engine, which decides what follows: a service's next run after
   * its backoff (queued from here, as a new run of the same job), or the job's end.
   */
  private report(id: string, ending: Ending): void {
    const job = this.options.store.get(id);
    if (!job) return void this.held.delete(id);
    const next = this.options.host.runEnded(job, ending);
    if (next === null) return void this.held.delete(id);
    this.scheduleRun(id, next.restartInMs);
  }

  private scheduleRun(id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.restarts.delete(id);
      const job = this.options.store.get(id);
      if (!job || job.stopRequest !== null || job.status !== 'running' || !this.runs) return;
      this.launch(job, this.runs).catch((error: unknown) => {
        // The store could not record the next run (a full disk): the service ends, saying why.
        try {
          this.report(id, { failed: true, how: `could not start its next run: ${String(error)}` });
        } catch {
          console.error(`bgjobs: job ${id}: its next run could not start: ${String(error)}`);
        }
      });
    }, delayMs);
    this.restarts.set(id, timer);
  }
}

/** A prompt job's prompt, for its worker to run; null for a shell command. */
function promptOf(job: JobRecord): RemoteJobSpec['llm'] {
  if (job.remote?.kind !== 'llm' || job.llm === null) return null;
  const { model, prompt, system, params } = job.llm;
  return { model: model === '' ? null : model, prompt, system, params };
}

/**
 * The part of a job's readiness its worker judges: a port or a URL is a fact of the worker's
 * host. A pattern is matched here, on the mirrored output, as for a local job.
 */
function probedOnWorker(ready: JobRecord['ready']): RemoteJobSpec['ready'] {
  if (ready === null || (ready.port === undefined && ready.url === undefined)) return null;
  return { port: ready.port, url: ready.url };
}

/**
 * How a remote run ended, in the engine's terms. A PROMPT's exit status says whether another
 * attempt may help (see prompt-run.ts), as a local prompt's failure does.
 */
export function endingOf(end: RemoteRunEnd, prompt = false): Ending {
  if (end.lost !== null) return { how: end.lost, retryable: true };
  if (end.error !== null) return { failed: true, how: end.error };
  if (end.neverStarted) return { how: 'before it started' };
  if (end.signal !== null) return { exit: { exitCode: null, signal: end.signal } };
  if (end.exitCode !== null && prompt && end.exitCode !== 0) {
    const retryable = end.exitCode === RETRYABLE_EXIT;
    const how = retryable
      ? 'the model could not answer this time (its reason is in stderr)'
      : 'the model could not answer (its reason is in stderr)';
    return { exit: { exitCode: end.exitCode, signal: null }, how, retryable };
  }
  if (end.exitCode !== null) return { exit: { exitCode: end.exitCode, signal: null } };
  return { how: 'its worker reported no exit status' };
}
