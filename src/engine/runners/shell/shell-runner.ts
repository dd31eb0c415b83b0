import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import {
  isSameProcess,
  isWaitingOnStdin,
  isWaitingOnTerminal,
  jobProcesses,
  procStat,
  signalGroup,
  signalProcess,
  type ProcStat,
} from '../../../procfs/proc.js';
import { appendBoundary, setAsidePreviousRun } from '../../../job-folder/run-files.js';
import { readExitFile, readPidFile, spawnMonitor } from '../../../monitor/spawn.js';
import type { JobStore } from '../../../store/store.js';
import {
  decideOutcome,
  describeExit,
  type ExitInfo,
  type JobRecord,
  type Outcome,
} from '../../model.js';
import { decideRestart } from '../../scheduling/restart.js';

const POLL_MS = 200;
const PID_FILE_WAIT_MS = 5000;
const AFTER_SIGKILL_WAIT_MS = 5000;

/** One running job as the supervisor follows it. */
interface LiveJob {
  id: string;
  dir: string;
  /** The monitor, when this process started it (then its exit is reported at once). */
  child: ChildProcess | undefined;
  /** Set once the monitor is gone but the job itself still runs: its outcome will be unknown. */
  orphaned: boolean;
  deadline: number | null;
  /** Set while a service waits out its backoff before the next run. */
  restartTimer: NodeJS.Timeout | undefined;
  /** Where the current run's output starts in each stream (known for runs started here). */
  runOffsets: { stdout: number; stderr: number } | undefined;
}

export interface SupervisorEvents {
  ended: [job: JobRecord];
  started: [job: JobRecord];
  timeout: [job: JobRecord];
  restarting: [job: JobRecord];
  /** It failed and was queued again for another attempt. */
  retrying: [job: JobRecord];
  /** Its readiness condition was met, or its failure pattern matched. */
  ready: [job: JobRecord];
}

/**
 * Starts jobs under their monitors, notices when they end, and stops them. It holds the only
 * in-memory state about running jobs; everything durable is in the store and the job folders,
 * so a new supervisor can re-adopt what an old one left behind.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly live = new Map<string, LiveJob>();
  private readonly launching = new Set<Promise<void>>();
  private stopping = false;
  private readonly loop: Promise<void>;
  private readonly abort = new AbortController();

  private readonly store: JobStore;
  private readonly jobDir: (id: string) => string;
  /** Asked before a job is recorded as ended; true when it was queued again instead. */
  retry: ((job: JobRecord, outcome: Outcome) => boolean) | undefined;

  constructor(store: JobStore, jobDir: (id: string) => string) {
    super();
    // Every waiting `wait` and watcher listens here: many at once is normal, not a leak.
    this.setMaxListeners(0);
    this.store = store;
    this.jobDir = jobDir;
    this.loop = this.watchLoop();
  }

  get runningCount(): number {
    return this.live.size;
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Where the current run's output starts, if this supervisor started it. */
  runOffsets(id: string): { stdout: number; stderr: number } | undefined {
    return this.live.get(id)?.runOffsets;
  }

  /**
   * Starts a job that the store already holds as `running` (so a crash after this point can
   * never start it twice). Resolves once the job's pid is known, or with the failed record.
   */
  async start(job: JobRecord): Promise<JobRecord> {
    const entry = this.follow(job);
    await this.launch(entry, job);
    const record = this.store.get(job.id) ?? job;
    if (record.status === 'running') this.emit('started', record);
    return record;
  }

  /** Starts one run of a job under a new monitor and records its pids. */
  /** Starts one run, tracked so that close() waits until its pids are recorded. */
  private async launch(entry: LiveJob, job: JobRecord): Promise<void> {
    const launching = this.spawnRun(entry, job);
    this.launching.add(launching);
    try {
      await launching;
    } finally {
      this.launching.delete(launching);
    }
  }

  private async spawnRun(entry: LiveJob, job: JobRecord): Promise<void> {
    const { dir } = entry;
    this.store.update(job.id, {
      runs: job.runs + 1,
      runStartedAt: Date.now(),
      nextRestartAt: null,
      readyState: job.ready === null ? null : 'pending',
      readyAt: null,
      readyMatch: null,
    });
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      setAsidePreviousRun(dir, job.runs);
      entry.runOffsets = {
        stdout: fileSize(join(dir, 'stdout')),
        stderr: fileSize(join(dir, 'stderr')),
      };
      // A queued job's directory may have gone meanwhile; spawn would blame /bin/sh for it.
      if (!existsSync(job.cwd))
        throw new Error(`its working directory ${job.cwd} no longer exists`);
      const monitor = await spawnMonitor(dir, job.command, job.env, job.cwd, job.pty);
      entry.child = monitor.child;
      this.store.update(job.id, {
        monitorPid: monitor.monitorPid,
        monitorStart: monitor.monitorStart,
      });
      monitor.child.once('exit', () => this.check(entry));
      const pids = await this.waitForPids(dir, monitor.child);
      if (pids) {
        this.store.update(job.id, {
          pid: pids.jobPid,
          pidStart: procStat(pids.jobPid)?.startTime ?? null,
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.finish(entry, undefined, `could not start: ${message}`, 'failed');
    }
  }

  /** Follows a job a previous daemon started: reconciles it now, then watches it. */
  adopt(job: JobRecord): void {
    const entry = this.follow(job);
    const { dir } = entry;
    if (job.nextRestartAt !== null) {
      // The previous daemon stopped while this service waited to restart: keep the appointment.
      this.scheduleRun(entry, Math.max(0, job.nextRestartAt - Date.now()));
      return;
    }
    // The daemon may have died between spawning the monitor and recording the pids.
    const pids = readPidFile(dir);
    if (pids && job.pid === null) {
      this.store.update(job.id, {
        pid: pids.jobPid,
        pidStart: procStat(pids.jobPid)?.startTime ?? null,
        monitorPid: pids.monitorPid,
        monitorStart: procStat(pids.monitorPid)?.startTime ?? null,
      });
    }
    this.check(entry);
  }

  /**
   * Stops a running job: SIGNAL to its whole session and process group, then SIGKILL to
   * whatever is left after the grace. Records the reason first, so the first reason wins.
   */
  async stop(
    id: string,
    reason: 'kill' | 'timeout' | 'session',
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<{ escalated: boolean }> {
    const job = this.store.get(id);
    if (!job) return { escalated: false };
    if (job.stopRequest === null) this.store.update(id, { stopRequest: reason });
    const entry = this.live.get(id);
    if (entry?.restartTimer !== undefined) {
      // Between runs there is no process to signal: the service simply does not start again.
      clearTimeout(entry.restartTimer);
      entry.restartTimer = undefined;
      this.finish(entry, undefined, 'stopped while waiting to restart');
      return { escalated: false };
    }
    this.signalJob(job, signal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && !this.isGone(job)) await delay(25);
    let escalated = false;
    if (!this.isGone(job) && !this.stopping) {
      escalated = true;
      this.signalJob(job, 'SIGKILL');
      const killDeadline = Date.now() + AFTER_SIGKILL_WAIT_MS;
      while (Date.now() < killDeadline && !this.isGone(job)) await delay(25);
    }
    const after = this.live.get(id);
    if (after && !this.stopping) this.check(after);
    return { escalated };
  }

  /** Signals what is left of a finished job (its background children), if anything. */
  stopLeftovers(job: JobRecord, signal: NodeJS.Signals): number[] {
    const members = this.members(job);
    this.signalJob(job, signal);
    return members;
  }

  /**
   * Whether any of these processes of the job is blocked reading its stdin: the FIFO, or for
   * a pty job the terminal (which `script` feeds from the FIFO).
   */
  waitingForInput(job: JobRecord, pids: readonly number[] = this.members(job)): boolean {
    if (job.pty !== null) return pids.some((pid) => isWaitingOnTerminal(pid));
    const fifo = join(this.jobDir(job.id), 'stdin');
    return pids.some((pid) => isWaitingOnStdin(pid, fifo));
  }

  /** Pids of the job's processes still alive: its process group and session members. */
  members(job: JobRecord): number[] {
    return this.processes(job).map((p) => p.pid);
  }

  /**
   * The job's live processes. A process group or session outlives its leader only while it
   * has members, and its id cannot be reused meanwhile; but once the leader's pid belongs to
   * another process (another start time), the id is no longer the job's and nothing is.
   */
  private processes(job: JobRecord): ProcStat[] {
    if (job.pid === null || job.pidStart === null) return [];
    const leader = procStat(job.pid);
    if (leader !== undefined && leader.startTime !== job.pidStart) return [];
    return jobProcesses(job.pid, job.pidStart);
  }

  async close(): Promise<void> {
    if (this.stopping) return this.loop;
    this.stopping = true;
    this.abort.abort();
    // A run being started finishes recording its pids first: a monitor that is out there but
    // unknown to the store would be judged lost by the next supervisor.
    await Promise.allSettled([...this.launching]);
    await this.loop;
    for (const entry of this.live.values()) {
      entry.child?.removeAllListeners('exit');
      clearTimeout(entry.restartTimer);
    }
    this.live.clear();
  }

  /** Registers a running job to watch; it counts against the limit from this moment. */
  private follow(job: JobRecord): LiveJob {
    const entry: LiveJob = {
      id: job.id,
      dir: this.jobDir(job.id),
      child: undefined,
      orphaned: false,
      deadline: deadlineOf(job),
      restartTimer: undefined,
      runOffsets: undefined,
    };
    this.live.set(job.id, entry);
    return entry;
  }

  private isGone(job: JobRecord): boolean {
    // A closing supervisor stops waiting; the job is left to its monitor and the next daemon.
    if (this.stopping) return true;
    const fresh = this.store.get(job.id);
    const ended = fresh !== undefined && fresh.endedAt !== null;
    return ended && this.members(job).length === 0;
  }

  private signalJob(job: JobRecord, signal: NodeJS.Signals): void {
    if (job.pid === null || job.pidStart === null) return;
    const members = this.processes(job);
    if (members.length === 0) return;
    signalGroup(job.pid, signal);
    // Processes that moved to a process group of their own inside the job's session.
    for (const member of members) {
      if (member.pgrp !== job.pid) signalProcess(member.pid, member.startTime, signal);
    }
  }

  private async waitForPids(dir: string, child: ChildProcess) {
    const deadline = Date.now() + PID_FILE_WAIT_MS;
    // The pid file comes a few milliseconds after the spawn; every millisecond of lag is
    // added to execute, and a look costs a failed open.
    while (Date.now() < deadline) {
      const pids = readPidFile(dir);
      if (pids) return pids;
      if (child.exitCode !== null || child.signalCode !== null) return readPidFile(dir);
      await delay(1);
    }
    return undefined;
  }

  /** Looks at one job: ended, still running, orphaned, or past its deadline. */
  private check(entry: LiveJob): void {
    if (!this.live.has(entry.id)) return;
    if (entry.restartTimer !== undefined) return this.checkDeadline(entry);
    const exit = readExitFile(entry.dir);
    if (exit) return this.finish(entry, exit);
    const job = this.store.get(entry.id);
    if (!job) return void this.live.delete(entry.id);
    this.checkDeadline(entry);
    const monitorAlive = entry.child
      ? entry.child.exitCode === null && entry.child.signalCode === null
      : isSameProcess(job.monitorPid, job.monitorStart);
    if (monitorAlive) return;
    // The monitor is gone without recording an exit. The job may still run on its own.
    const jobAlive = isSameProcess(job.pid, job.pidStart);
    if (jobAlive) {
      entry.orphaned = true;
      return;
    }
    if (entry.child === undefined && job.monitorPid === null && job.startedAt !== null) {
      // Spawned by a daemon that died before the pids were recorded. Its monitor may still be
      // on the way to writing the pid file: give it the time a start may take.
      const pids = readPidFile(entry.dir);
      if (pids) {
        this.store.update(job.id, {
          pid: pids.jobPid,
          pidStart: procStat(pids.jobPid)?.startTime ?? null,
          monitorPid: pids.monitorPid,
          monitorStart: procStat(pids.monitorPid)?.startTime ?? null,
        });
        return;
      }
      if (Date.now() - (job.runStartedAt ?? job.startedAt) < PID_FILE_WAIT_MS) return;
      return this.finish(entry, undefined, 'the daemon stopped while starting the job');
    }
    this.finish(
      entry,
      undefined,
      entry.orphaned
        ? 'its monitor was killed while the job ran; the job has since ended and its exit status is unknown'
        : 'its monitor ended without recording an exit status',
    );
  }

  private finish(
    entry: LiveJob,
    exit: ExitInfo | undefined,
    lostReason?: string,
    forced?: 'failed',
  ): void {
    if (!this.live.has(entry.id)) return;
    const job = this.store.get(entry.id);
    if (!job) return void this.live.delete(entry.id);
    const restart = forced === 'failed' ? undefined : decideRestart(job, exit, Date.now());
    if (restart?.restart && exit) return this.restartLater(entry, job, exit, restart);
    this.live.delete(entry.id);
    const decided =
      forced === 'failed'
        ? {
            status: 'failed' as const,
            exitCode: null,
            signal: null,
            reason: lostReason ?? 'failed',
          }
        : decideOutcome(exit, job.stopRequest, lostReason);
    const gaveUp = restart !== undefined && !restart.restart ? restart.reason : null;
    const outcome =
      gaveUp === null ? decided : { ...decided, reason: `${decided.reason}; ${gaveUp}` };
    // A failed job with retries left goes back to the queue, keeping its id.
    if (this.retry?.(job, outcome)) {
      this.live.delete(entry.id);
      return;
    }
    this.store.update(job.id, {
      status: outcome.status,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      reason: outcome.reason,
      endedAt: Date.now(),
      stdoutBytes: fileSize(join(entry.dir, 'stdout')),
      stderrBytes: fileSize(join(entry.dir, 'stderr')),
    });
    const ended = this.store.get(job.id);
    if (ended) this.emit('ended', ended);
  }

  /** Records how a service's run ended and starts the next run after the backoff. */
  private restartLater(
    entry: LiveJob,
    job: JobRecord,
    exit: ExitInfo,
    decision: { delayMs: number; unstable: boolean },
  ): void {
    entry.child = undefined;
    entry.orphaned = false;
    this.store.update(job.id, {
      lastExitCode: exit.exitCode,
      lastSignal: exit.signal,
      unstableRestarts: decision.unstable ? job.unstableRestarts + 1 : 0,
      restartDelayMs: decision.delayMs,
      nextRestartAt: Date.now() + decision.delayMs,
      pid: null,
      pidStart: null,
      monitorPid: null,
      monitorStart: null,
    });
    const ms = decision.delayMs;
    const after = ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
    const line = `[bgjobs] run ${job.runs} ${describeExit(exit)}; run ${job.runs + 1} starts in ${after}`;
    for (const stream of ['stdout', 'stderr']) appendBoundary(join(entry.dir, stream), line);
    setAsidePreviousRun(entry.dir, job.runs);
    this.scheduleRun(entry, decision.delayMs);
    const record = this.store.get(job.id);
    if (record) this.emit('restarting', record);
  }

  private scheduleRun(entry: LiveJob, delayMs: number): void {
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      const job = this.store.get(entry.id);
      if (!job || job.stopRequest !== null || this.stopping) return;
      void this.launch(entry, job).then(() => {
        const record = this.store.get(entry.id);
        if (record?.status === 'running') this.emit('started', record);
      });
    }, delayMs);
  }

  /** A job's timeout counts from its first start, also while a service waits to restart. */
  private checkDeadline(entry: LiveJob): void {
    if (entry.deadline === null || Date.now() < entry.deadline) return;
    const job = this.store.get(entry.id);
    if (!job || job.stopRequest !== null) return;
    entry.deadline = null;
    this.emit('timeout', job);
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopping) {
      for (const entry of [...this.live.values()]) {
        try {
          this.check(entry);
        } catch (error) {
          process.emitWarning(`bgjobs: checking job ${entry.id} failed: ${String(error)}`);
        }
      }
      await delay(POLL_MS, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }
}

function deadlineOf(job: JobRecord): number | null {
  if (job.timeoutS === null || job.startedAt === null) return null;
  return job.startedAt + job.timeoutS * 1000;
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
