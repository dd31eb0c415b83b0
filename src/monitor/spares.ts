import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import type { JobPaths } from '../job-folder/paths.js';
import { procStat, signalProcess } from '../procfs/proc.js';
import { jobEnvOf, type MonitorStart, type PtySize } from './spawn.js';

const MONITOR_SCRIPT = fileURLToPath(new URL('./monitor.sh', import.meta.url));
const SPARE_JOB_SCRIPT = fileURLToPath(new URL('./spare-job.sh', import.meta.url));
// Beside the job folders, on the same filesystem, so handing a spare's FIFO over is a rename.
const SPARE_MONITORS = '.monitors';
const DEFAULT_SPARES = 2;
// As with spare folders: made again a moment after one is taken, not while its job starts.
const REFILL_DELAY_MS = 50;
// How long a spare let go may take to read EOF and exit before it is killed.
const CLOSE_WAIT_MS = 2000;

/** A spare monitor and its waiting job process, both already running. */
interface Spare {
  child: ChildProcess;
  key: string;
  fifo: string;
  monitorStart: number | null;
  jobPid: number;
  jobStart: number | null;
}

/** What a job brings to a spare at the handover. */
export interface SpareJob {
  id: string;
  command: string;
  cwd: string;
  pty: PtySize | null;
  cgroup: string | null;
}

/**
 * Monitors started ahead of need, so that starting a job costs no process creation: each spare
 * is a monitor (monitor.sh --spare) that has made its stdin FIFO and started its job's process
 * (spare-job.sh), in its own session, waiting on a pipe for its command. A job whose
 * environment is the one spares were made with is handed to one: its FIFO renamed into the
 * job's folder and, once the request is answered, a few lines written to two pipes; nothing is
 * spawned on the request's path.
 * A job with another environment starts as before (spawnMonitor), and spares are then made for
 * its environment, which the next jobs of the same caller share.
 *
 * A spare holds only pipes to its daemon: when the daemon dies or lets it go, it reads EOF and
 * exits, having run nothing. Spares are not jobs: no store row, no slot, no job folder.
 *
 * @example
 * const spares = new SpareMonitors(jobsRoot(home));
 * const job = { id, command, cwd, pty: null, cgroup: null };
 * const started = spares.take(env, paths, job, { keep: true });
 * // undefined: none ready for this environment; spawn the monitor, and spares follow for ENV.
 * await spares.close(); // every spare exits
 */
export class SpareMonitors {
  private readonly root: string;
  private readonly target: number;
  private readonly ready: Spare[] = [];
  private readonly starting = new Set<ChildProcess>();
  private env: Record<string, string> | undefined;
  private key: string | undefined;
  private refillTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private warned = false;

  /** Removes the FIFOs of spares a previous daemon left behind (they exited with it). */
  constructor(jobsRoot: string, spares = DEFAULT_SPARES) {
    this.root = join(jobsRoot, SPARE_MONITORS);
    this.target = spares;
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  /**
   * Hands JOB to a spare made with ENV (the job's environment, as spawnMonitor takes it), its
   * files at PATHS; undefined when none is ready. With KEEP, spares are made for ENV from now
   * on (a moment later); the caller keeps them for a job without per-request overrides, so no
   * spare carries what one request alone was given (a token, a test's marker).
   * The pids are known at once: the job's process is the spare's (for a terminal job, its
   * session's leader writes the pid file soon after).
   */
  take(
    env: Record<string, string>,
    paths: JobPaths,
    job: SpareJob,
    { keep }: { keep: boolean },
  ): MonitorStart | undefined {
    const key = envKey(env);
    if (keep) this.want(env, key);
    // Each field travels as one line: a path with a newline in it starts the usual way.
    const fields = [
      paths.dir,
      job.id,
      job.cwd,
      job.cgroup ?? '',
      job.pty?.cols ?? '',
      job.pty?.rows ?? '',
    ];
    if (fields.some((field) => String(field).includes('\n'))) return undefined;
    const index = this.ready.findIndex((spare) => spare.key === key);
    const spare = index === -1 ? undefined : this.ready.splice(index, 1)[0];
    if (spare === undefined) return undefined;
    renameSync(spare.fifo, paths.stdin);
    const lines = job.command.split('\n');
    const jobText = [...fields, lines.length, ...lines, ''].join('\n');
    // Written once the request that started the job has been answered: each write wakes a
    // process, which on a busy machine takes the CPU from the daemon before it can answer.
    // The monitor's line first: a job process that got its job always has a monitor to record
    // it. A daemon that dies before these writes leaves a spare that ran nothing and wrote no
    // pid file: the next daemon starts the job again.
    setImmediate(() => {
      endWith(spare.child.stdin, `${paths.dir}\n`);
      endWith(spare.child.stdio[3] as Writable, jobText);
    });
    const monitorPid = spare.child.pid ?? 0;
    return {
      child: spare.child,
      monitorPid,
      monitorStart: spare.monitorStart,
      ...(job.pty === null ? { jobPid: spare.jobPid, jobStart: spare.jobStart } : {}),
    };
  }

  /** How many spares are ready now. */
  get readyCount(): number {
    return this.ready.length;
  }

  /** Lets every spare go (they read EOF and exit) and waits until they have, killing laggards. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refillTimer);
    const all = [...this.ready.map((spare) => spare.child), ...this.starting];
    const jobs = this.ready.map((spare) => spare);
    this.ready.length = 0;
    await Promise.all(all.map((child) => letGo(child)));
    for (const spare of jobs) {
      if (spare.jobStart !== null) signalProcess(spare.jobPid, spare.jobStart, 'SIGKILL');
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Keeps spares for ENV from now on: others are let go, and the pool is topped up soon. */
  private want(env: Record<string, string>, key: string): void {
    if (this.closed) return;
    if (key !== this.key) {
      this.env = env;
      this.key = key;
      for (const spare of this.ready.splice(0)) void letGo(spare.child);
    }
    if (this.refillTimer !== undefined) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  private refill(): void {
    const env = this.env;
    const key = this.key;
    if (env === undefined || key === undefined) return;
    while (!this.closed && this.ready.length + this.starting.size < this.target) {
      if (!this.spawnSpare(env, key)) return;
    }
  }

  /** Starts one spare; it joins the pool once it says it is ready. False when spawn failed. */
  private spawnSpare(env: Record<string, string>, key: string): boolean {
    const fifo = join(this.root, randomBytes(6).toString('hex'));
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', [MONITOR_SCRIPT, '--spare', fifo, SPARE_JOB_SCRIPT], {
        cwd: this.root,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore', 'pipe'],
      });
    } catch (error) {
      this.warn(`could not start a spare monitor: ${String(error)}`);
      return false;
    }
    this.starting.add(child);
    unrefAll(child);
    let said = '';
    const stdout = child.stdout as Readable;
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      said += chunk;
      const match = /^ready (\d+)\n/.exec(said);
      if (!match || !this.starting.delete(child)) return;
      const jobPid = Number(match[1]);
      const spare: Spare = {
        child,
        key,
        fifo,
        monitorStart: procStat(child.pid ?? 0)?.startTime ?? null,
        jobPid,
        jobStart: procStat(jobPid)?.startTime ?? null,
      };
      // Made for an environment no longer wanted, or after close: let go at once.
      if (this.closed || key !== this.key) void letGo(child);
      else this.ready.push(spare);
    });
    child.once('exit', (code, signal) => {
      const wasStarting = this.starting.delete(child);
      const index = this.ready.findIndex((spare) => spare.child === child);
      if (index !== -1) this.ready.splice(index, 1);
      if (wasStarting && !this.closed) {
        this.warn(
          `a spare monitor ended before it was ready (${signal ?? `exit ${code}`}): ${said.trim()}`,
        );
      }
    });
    child.once('error', () => this.starting.delete(child));
    return true;
  }

  // Spares failing to start would fail every time (a missing script, no fork): said once.
  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`bgjobs: ${message}; jobs start without spares`);
  }
}

/** The environment of spares as a string: equal strings, equal environments. */
function envKey(env: Record<string, string>): string {
  return JSON.stringify(Object.entries(jobEnvOf(env)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function endWith(stream: Writable | null, text: string): void {
  stream?.end(text);
}

// Neither the spares nor their pipes keep a process (the daemon, a test) from exiting.
function unrefAll(child: ChildProcess): void {
  child.unref();
  for (const stream of child.stdio) {
    (stream as (Readable & { unref?: () => void }) | null)?.unref?.();
    stream?.on('error', () => undefined);
  }
}

/** Ends a spare's pipes, so it reads EOF and exits; SIGKILL if it has not within CLOSE_WAIT_MS. */
async function letGo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Waited for: the process does not end before its spares have.
  child.ref();
  child.stdin?.end();
  (child.stdio[3] as Writable | null)?.end();
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }, CLOSE_WAIT_MS);
  timer.unref();
  await exited;
  clearTimeout(timer);
}
