import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { JobPaths } from '../../../job-folder/paths.js';
import { readCgroup } from '../../../job-folder/run-files.js';
import { PID_FILE_WAIT_MS, readExitFile, readPidFile } from '../../../monitor/spawn.js';
import { killCgroup, removeCgroup } from '../../../procfs/cgroup.js';
import { escapeesOf, signalEach } from '../../../procfs/escapees.js';
import { membersOf, signalJob, untilOwnGroup } from '../../../procfs/job-processes.js';
import { isSameProcess, procStat } from '../../../procfs/proc.js';
import { WorkLoop } from '../../../work-loop.js';
import type { Ending, JobRecord } from '../../model.js';
import type { Runner, RunnerHost } from '../runner.js';
import { escapeeRef } from './job-escapees.js';
import { cutStartEnding, launchRun, type LaunchDeps } from './launch.js';

const POLL_MS = 200;
const AFTER_SIGKILL_WAIT_MS = 5000;

/** One running job as the shell runner follows it. */
export interface LiveJob {
  id: string;
  paths: JobPaths;
  /** The monitor, when this process started it (then its exit is reported at once). */
  child: ChildProcess | undefined;
  /** Set once the monitor is gone but the job itself still runs: its outcome will be unknown. */
  orphaned: boolean;
  /** Set while a service waits out its backoff before the next run. */
  restartTimer: NodeJS.Timeout | undefined;
  /** Set while a run is being started: its end is looked at once its start is reported. */
  launching: boolean;
  /** An end that could not be recorded yet (a full disk): recorded on a later look. */
  unrecorded?: Ending | undefined;
}

export interface ShellRunnerDeps extends LaunchDeps {
  host: RunnerHost;
  limit: () => number;
}

/**
 * Runs shell commands, each under its own monitor (see monitor.sh): starts them, notices when
 * they end, stops them, and re-adopts what a previous daemon left running. It holds the only
 * in-memory state about running jobs; everything durable is in the store and the job folders.
 */
export class ShellRunner implements Runner {
  private readonly live = new Map<string, LiveJob>();
  private readonly launching = new Set<Promise<void>>();
  // The last failure reported per job, so a look failing every POLL_MS is reported once.
  private readonly failures = new Map<string, string>();
  private stopping = false;
  // Looks at every live job every POLL_MS, while there is one: an idle runner wakes for nothing.
  private readonly loop = new WorkLoop({ everyMs: POLL_MS, round: () => this.lookAll() });
  private readonly deps: ShellRunnerDeps;

  constructor(deps: ShellRunnerDeps) {
    this.deps = deps;
  }

  running(): number {
    return this.live.size;
  }

  limit(): number {
    return this.deps.limit();
  }

  async start(job: JobRecord): Promise<void> {
    await this.launch(this.follow(job), job);
  }

  adopt(job: JobRecord): void {
    const entry = this.follow(job);
    if (job.nextRestartAt !== null) {
      // The previous daemon stopped while this service waited to restart: keep the appointment.
      this.scheduleRun(entry, Math.max(0, job.nextRestartAt - Date.now()));
      return;
    }
    // The daemon may have died between spawning the monitor and recording the pids.
    if (job.pid === null) this.check(entry, () => this.recordPids(job.id, entry.paths));
    this.check(entry);
    if (this.live.has(job.id)) this.deps.host.started(job.id);
  }

  /**
   * SIGNAL to the job's whole session and process group and to its escapees (processes it
   * started that left both), then SIGKILL to whatever is left after the grace, the whole cgroup
   * too; escapees that appear meanwhile get SIGKILL at the end. A service between runs is
   * simply not started again.
   */
  async stop(
    job: JobRecord,
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<{ escalated: boolean }> {
    const entry = this.live.get(job.id);
    if (entry?.restartTimer !== undefined) {
      clearTimeout(entry.restartTimer);
      entry.restartTimer = undefined;
      this.finish(entry, { how: 'stopped while waiting to restart' });
      return { escalated: false };
    }
    await untilOwnGroup(job);
    const ref = escapeeRef(job, this.deps.folders);
    const escapees = escapeesOf(ref);
    signalJob(job, signal);
    signalEach(escapees, signal);
    const isDone = (): boolean =>
      this.isGone(job) && escapees.every((p) => !isSameProcess(p.pid, p.startTime));
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && !isDone()) await delay(25);
    let escalated = false;
    if (!isDone() && !this.stopping) {
      escalated = true;
      signalJob(job, 'SIGKILL');
      signalEach(escapeesOf(ref), 'SIGKILL');
      killCgroup(ref.cgroup);
      const killDeadline = Date.now() + AFTER_SIGKILL_WAIT_MS;
      while (Date.now() < killDeadline && !isDone()) await delay(25);
    }
    if (!this.stopping) {
      // Escapees that left after the first look end with the job all the same.
      signalEach(escapeesOf(ref), 'SIGKILL');
      killCgroup(ref.cgroup);
    }
    const after = this.live.get(job.id);
    if (after && !this.stopping) this.check(after);
    return { escalated };
  }

  async close(): Promise<void> {
    if (this.stopping) return this.loop.stop();
    this.stopping = true;
    // A run being started finishes recording its pids first: a monitor that is out there but
    // unknown to the store would be judged lost by the next daemon.
    await Promise.allSettled([...this.launching]);
    await this.loop.stop();
    for (const entry of this.live.values()) {
      entry.child?.removeAllListeners('exit');
      clearTimeout(entry.restartTimer);
    }
    this.live.clear();
  }

  /** Starts one run, tracked so that close() waits until its pids are recorded. */
  private async launch(entry: LiveJob, job: JobRecord): Promise<void> {
    // A quick job may end before its pids are read: its start is reported first, then its end.
    entry.launching = true;
    const onExit = (): void => this.check(entry);
    const launching = launchRun(this.deps, entry, job, onExit)
      .catch((error: unknown) => ({
        failed: { failed: true, how: `could not start: ${String(error)}` } satisfies Ending,
      }))
      .then((launched) => {
        entry.launching = false;
        if (launched.failed !== undefined) {
          entry.unrecorded = launched.failed;
          return this.check(entry);
        }
        if (!this.live.has(entry.id)) return;
        this.deps.host.started(job.id, launched.run);
        this.check(entry);
      });
    this.launching.add(launching);
    try {
      await launching;
    } finally {
      this.launching.delete(launching);
    }
  }

  /** Registers a running job to watch; it counts against the limit from this moment. */
  private follow(job: JobRecord): LiveJob {
    const entry: LiveJob = {
      id: job.id,
      paths: this.deps.folders.paths(job.id),
      child: undefined,
      orphaned: false,
      restartTimer: undefined,
      launching: false,
    };
    this.live.set(job.id, entry);
    this.loop.wake();
    return entry;
  }

  private recordPids(id: string, paths: JobPaths): boolean {
    const pids = readPidFile(paths.pid);
    if (!pids) return false;
    this.deps.store.update(id, {
      pid: pids.jobPid,
      pidStart: procStat(pids.jobPid)?.startTime ?? null,
      monitorPid: pids.monitorPid,
      monitorStart: procStat(pids.monitorPid)?.startTime ?? null,
    });
    return true;
  }

  private isGone(job: JobRecord): boolean {
    // A closing runner stops waiting; the job is left to its monitor and the next daemon.
    if (this.stopping) return true;
    // Its end is reported (this runner no longer follows it) and no process of it is left.
    return !this.live.has(job.id) && membersOf(job).length === 0;
  }

  /**
   * Looks at one job (or does LOOK for it) and never throws: a failure — the store's disk is
   * full — is reported once, and the watch loop looks again every POLL_MS until it succeeds.
   */
  private check(entry: LiveJob, look: () => unknown = () => this.look(entry)): void {
    try {
      look();
      this.failures.delete(entry.id);
    } catch (error) {
      const message = String(error);
      if (this.failures.get(entry.id) === message) return;
      this.failures.set(entry.id, message);
      process.emitWarning(`bgjobs: job ${entry.id}: ${message} (tried again until it works)`);
    }
  }

  /** Looks at one job: ended, still running, or orphaned. */
  private look(entry: LiveJob): void {
    if (!this.live.has(entry.id) || entry.restartTimer !== undefined || entry.launching) return;
    const exit = readExitFile(entry.paths.exit);
    if (exit) return this.finish(entry, { exit });
    if (entry.unrecorded) return this.finish(entry, entry.unrecorded);
    const job = this.deps.store.get(entry.id);
    if (!job) return void this.live.delete(entry.id);
    const monitorAlive = entry.child
      ? entry.child.exitCode === null && entry.child.signalCode === null
      : isSameProcess(job.monitorPid, job.monitorStart);
    if (monitorAlive) return;
    // The monitor is gone without recording an exit. The job may still run on its own.
    if (isSameProcess(job.pid, job.pidStart)) {
      entry.orphaned = true;
      return;
    }
    if (entry.child === undefined && job.monitorPid === null && job.startedAt !== null) {
      // Spawned by a daemon that died before the pids were recorded. Its monitor may still be
      // on the way to writing the pid file: give it the time a start may take.
      if (this.recordPids(job.id, entry.paths)) return;
      if (Date.now() - (job.runStartedAt ?? job.startedAt) < PID_FILE_WAIT_MS) return;
      return this.finish(entry, cutStartEnding(job.id));
    }
    // The job's process writes the pid file before it runs anything: without one, a spare was
    // let go (its daemon died) before it was handed the command, which never ran.
    if (!entry.orphaned && !existsSync(entry.paths.pid)) {
      return this.finish(entry, cutStartEnding(job.id));
    }
    this.finish(entry, {
      how: entry.orphaned
        ? 'its monitor was killed while the job ran; the job has since ended and its exit status is unknown'
        : 'its monitor ended without recording an exit status',
    });
  }

  /** Reports a run's end; the host answers whether a service's next run follows. */
  private finish(entry: LiveJob, ending: Ending): void {
    if (!this.live.has(entry.id)) return;
    const job = this.deps.store.get(entry.id);
    if (!job) return void this.live.delete(entry.id);
    let next: { restartInMs: number } | null;
    try {
      next = this.deps.host.runEnded(job, ending);
      entry.unrecorded = undefined;
    } catch (error) {
      // Kept, so a look after the monitor's exit file is gone still knows (a failed start).
      entry.unrecorded = ending;
      throw error;
    }
    if (next === null) {
      this.live.delete(entry.id);
      // Gone once nothing of the job is left; processes it left running keep it until `kill`.
      removeCgroup(readCgroup(entry.paths));
      return;
    }
    entry.child = undefined;
    entry.orphaned = false;
    this.scheduleRun(entry, next.restartInMs);
  }

  private scheduleRun(entry: LiveJob, delayMs: number): void {
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      const job = this.deps.store.get(entry.id);
      if (!job || job.stopRequest !== null || this.stopping) return;
      void this.launch(entry, job);
    }, delayMs);
  }

  private lookAll(): boolean {
    for (const entry of [...this.live.values()]) this.check(entry);
    return this.live.size > 0;
  }
}
