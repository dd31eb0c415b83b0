import { isFinal, type JobStatus } from '../api/job.js';
import { BgError, ErrorCode } from '../api/errors.js';
import type { JobFolders } from '../job-folder/folders.js';
import { appendBoundary } from '../job-folder/run-files.js';
import type { JobStore, RecordPatch, StatusPatch } from '../store/store.js';
import type { JobEvents, RunStart } from './events.js';
import { describeExit, type ExitInfo, type JobRecord, type Outcome } from './model.js';

type From = JobStatus | 'new';

/** Every move a job's status may make. A final status never changes. */
export const MOVES: Readonly<Record<From, readonly JobStatus[]>> = {
  new: ['queued'],
  queued: ['running', 'failed', 'killed', 'timed_out', 'lost'],
  running: ['queued', 'completed', 'failed', 'killed', 'timed_out', 'lost'],
  completed: [],
  failed: [],
  killed: [],
  timed_out: [],
  lost: [],
};

export function isLegalMove(from: From, to: JobStatus): boolean {
  return MOVES[from].includes(to);
}

/** What a service's next run is waiting for, as the restart policy decided it. */
export interface RunEnd {
  exit: ExitInfo;
  delayMs: number;
  unstable: boolean;
}

/**
 * The one writer of a job's status. Every move — admitted, started, ended, queued again for a
 * retry — is checked against MOVES, written to the store in one write, and reported as one
 * event on the JobEvents stream. A job's end is recorded once: a second end of the same job is
 * ignored, so the first reason wins.
 */
export class Transitions {
  private readonly store: JobStore;
  private readonly events: JobEvents;
  private readonly folders: JobFolders;

  constructor(store: JobStore, events: JobEvents, folders: JobFolders) {
    this.store = store;
    this.events = events;
    this.folders = folders;
  }

  /** A new job enters the store, queued. */
  admit(job: JobRecord): void {
    this.check(job.id, 'new', job.status);
    this.store.insert(job);
    this.events.emit('admitted', job);
  }

  /** The queue hands a queued job to its runner: from now on it holds a slot. */
  start(job: JobRecord, now = Date.now()): JobRecord {
    this.check(job.id, job.status, 'running');
    const startedAt = job.startedAt ?? now;
    this.store.writeStatus(job.id, { status: 'running', startedAt, retryAt: null });
    return { ...job, status: 'running', startedAt, retryAt: null };
  }

  /** A run is under way (its processes known), or a job was re-adopted: tells the readers. */
  started(id: string, run?: RunStart): JobRecord | undefined {
    const job = this.store.get(id);
    if (job?.status === 'running') this.events.emit('started', job, run);
    return job;
  }

  /** Records OUTCOME as the job's end (with RECORDED, what else was learned), unless it ended already. */
  end(id: string, outcome: Outcome, recorded: RecordPatch = {}): JobRecord | undefined {
    const job = this.store.get(id);
    if (!job || isFinal(job.status)) return job;
    this.check(id, job.status, outcome.status);
    const paths = this.folders.paths(id);
    // Assigned, not spread: see toStatus in verbs/present.ts.
    this.store.writeStatus(
      id,
      Object.assign({}, recorded, {
        status: outcome.status,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        reason: outcome.reason,
        endedAt: Date.now(),
        stdoutBytes: this.folders.sizeOf(paths.stdout),
        stderrBytes: this.folders.sizeOf(paths.stderr),
      }),
    );
    this.forgetEnv(id);
    const ended = this.store.get(id);
    if (ended) this.events.emit('ended', ended);
    return ended;
  }

  /**
   * Queues a failed job again for its next attempt, keeping its id, to start after DELAY_MS.
   * A line between the attempts' output keeps them apart.
   */
  retry(job: JobRecord, outcome: Outcome, delayMs: number): JobRecord | undefined {
    this.check(job.id, job.status, 'queued');
    const next = job.attempt + 1;
    this.boundary(
      job.id,
      `[bgjobs] attempt ${job.attempt} failed (${outcome.reason}); attempt ${next} in ${(delayMs / 1000).toFixed(1)} s`,
    );
    return this.queueAgain(job.id, {
      attempt: next,
      retryAt: Date.now() + delayMs,
      lastExitCode: outcome.exitCode,
      lastSignal: outcome.signal,
      reason: `attempt ${job.attempt} failed: ${outcome.reason}`,
    });
  }

  /** A start that never ran its command (the daemon died first): back to the queue, same attempt. */
  requeue(job: JobRecord, why: string): JobRecord | undefined {
    this.check(job.id, job.status, 'queued');
    // Its output is left as it was (empty: nothing ran); why it waits again is its reason.
    return this.queueAgain(job.id, { reason: `${why}; queued to start again` });
  }

  /** Back to `queued` with no processes, and PATCH; `retried` tells the listeners. */
  private queueAgain(id: string, patch: Omit<StatusPatch, 'status'>): JobRecord | undefined {
    this.store.writeStatus(
      id,
      Object.assign({}, patch, {
        status: 'queued' as const,
        pid: null,
        pidStart: null,
        monitorPid: null,
        monitorStart: null,
      }),
    );
    const queued = this.store.get(id);
    if (queued) this.events.emit('retried', queued);
    return queued;
  }

  /** A service's run ended and another starts after the backoff: the job stays running. */
  runEnded(job: JobRecord, end: RunEnd): JobRecord | undefined {
    if (job.status !== 'running') {
      throw new BgError(
        ErrorCode.internal,
        `Job ${job.id} is ${job.status}: only a running service's run can end and restart.`,
        { data: { job_id: job.id } },
      );
    }
    const ms = end.delayMs;
    const after = ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
    this.boundary(
      job.id,
      `[bgjobs] run ${job.runs} ${describeExit(end.exit)}; run ${job.runs + 1} starts in ${after}`,
    );
    this.store.update(job.id, {
      lastExitCode: end.exit.exitCode,
      lastSignal: end.exit.signal,
      unstableRestarts: end.unstable ? job.unstableRestarts + 1 : 0,
      restartDelayMs: ms,
      nextRestartAt: Date.now() + ms,
      pid: null,
      pidStart: null,
      monitorPid: null,
      monitorStart: null,
    });
    const record = this.store.get(job.id);
    if (record) this.events.emit('run-ended', record);
    return record;
  }

  /** Its readiness condition was met (`ready`) or its failure pattern matched (`failed`). */
  ready(id: string, state: 'ready' | 'failed', match: string): void {
    this.store.update(id, {
      readyState: state,
      readyAt: Date.now(),
      readyMatch: match.slice(0, 2000),
    });
    const job = this.store.get(id);
    if (job) this.events.emit('ready', job);
  }

  // An ended job never starts again: the environment it was kept for goes now. Should this
  // fail, the housekeeper's first sweep removes it (Housekeeper.sweep).
  private forgetEnv(id: string): void {
    try {
      this.folders.removeEnv(id);
    } catch {
      // Left for the sweep.
    }
  }

  private boundary(id: string, line: string): void {
    const paths = this.folders.paths(id);
    for (const path of [paths.stdout, paths.stderr]) appendBoundary(path, line);
  }

  private check(id: string, from: From, to: JobStatus): void {
    if (isLegalMove(from, to)) return;
    throw new BgError(
      ErrorCode.internal,
      `Job ${id} cannot move from ${from} to ${to}: a ${from === 'new' ? 'new job' : from} job ${MOVES[from].length === 0 ? 'never changes' : `moves only to ${MOVES[from].join(', ')}`}.`,
      { data: { job_id: id, from, to } },
    );
  }
}
