import type { AgentRow, AgentStore, Trigger } from '../store/agent-store.js';
import { anyMatch, FileWatch } from './file-watch.js';
import type { AgentHost } from './host.js';
import { mergeTriggers } from './run-text.js';
import { missedFire, nextFire } from './schedule.js';
import { globsOf, type AgentSpec } from './spec.js';

// setTimeout holds at most 2^31-1 ms; a later schedule wakes up early and plans again.
const MAX_TIMER_MS = 2 ** 31 - 1;

export type LogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
) => void;

export interface ArmedContext {
  store: AgentStore;
  host: AgentHost;
  /** bgjobs' home, which a watch never reacts to. */
  home: string;
  log: LogFn;
  /** A run of this agent started or ended (for notifications). */
  onRun: (name: string, event: 'started' | 'ended', jobId: string) => void;
  /** The agent stopped itself (stop_after_failures). */
  onGaveUp: (name: string) => void;
}

export interface ArmOptions {
  /** Fire on_start (a start or resume; not a daemon re-arming what it had). */
  fresh: boolean;
}

/**
 * One armed agent: its watcher and its schedule, and what happens when one fires while a run
 * goes on (the overlap policy). Its operations run one at a time, in order.
 */
export class ArmedAgent {
  readonly name: string;
  readonly spec: AgentSpec;
  private readonly ctx: ArmedContext;
  private readonly callerEnv: Record<string, string>;
  private watch: FileWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private disarmed = false;
  // Ends the background look for a matching file when the agent is disarmed.
  private readonly probe = new AbortController();
  runningJob: string | undefined;
  private starting = false;
  private pending: Trigger | undefined;
  nextAt: number | undefined;
  /** Whether the watch globs match any file (undefined: not known yet, or no watch). */
  globsMatch: boolean | undefined;

  constructor(row: AgentRow, spec: AgentSpec, ctx: ArmedContext) {
    this.name = row.name;
    this.spec = spec;
    this.ctx = ctx;
    this.callerEnv = row.caller_env;
  }

  /** Starts the watcher and the schedule; rejects (watching nothing) if the watcher cannot start. */
  async arm(options: ArmOptions): Promise<void> {
    const row = this.ctx.store.get(this.name);
    await this.adoptLiveRun();
    if (this.spec.watch !== undefined) await this.startWatch();
    const now = Date.now();
    const missed = options.fresh
      ? undefined
      : missedFire(this.spec, row?.last_fire_at ?? null, now);
    const anchor = options.fresh || !row?.last_fire_at ? now : row.last_fire_at;
    if (options.fresh) this.ctx.store.update(this.name, { last_fire_at: now });
    this.plan(now, anchor);
    if (options.fresh && this.spec.on_start) void this.fire({ kind: 'on_start' });
    if (missed && this.spec.missed === 'run_once') {
      this.ctx.log(
        'info',
        `agent ${this.name}: running once for a schedule missed while no daemon ran`,
      );
      this.ctx.store.update(this.name, { last_fire_at: now });
      void this.fire({ kind: missed.kind, at: new Date(missed.at).toISOString() });
    }
  }

  private async startWatch(): Promise<void> {
    const patterns = globsOf(this.spec.watch);
    const ignore = globsOf(this.spec.ignore);
    const root = this.spec.cwd ?? '.';
    this.watch = new FileWatch({
      root,
      patterns,
      ignore,
      home: this.ctx.home,
      debounceMs: this.spec.debounce_ms,
      onBurst: (paths, more) => {
        this.globsMatch = true;
        void this.fire({
          kind: 'watch',
          changed: more > 0 ? [...paths, `… and ${more} more`] : paths,
        });
      },
      onError: (error) => this.ctx.log('error', `agent ${this.name}: ${error.message}`),
    });
    await this.watch.start();
    // Told in agent_list; looked for in the background so arming a big tree stays quick.
    anyMatch(root, patterns, ignore, this.probe.signal).then(
      (found) => (this.globsMatch = found),
      () => undefined,
    );
  }

  /** A run that outlived the previous daemon is still this agent's running run. */
  private async adoptLiveRun(): Promise<void> {
    const [latest] = this.ctx.store.runs(this.name, 1);
    if (!latest) return;
    const state = await this.ctx.host.jobState(latest.job_id);
    if (state?.live) this.runningJob = latest.job_id;
  }

  private plan(after: number, anchor: number): void {
    clearTimeout(this.timer);
    const next = nextFire(this.spec, after, anchor);
    this.nextAt = next?.at;
    if (!next || this.disarmed) return;
    const wait = Math.min(Math.max(0, next.at - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      if (Date.now() < next.at) return this.plan(after, anchor);
      this.ctx.store.update(this.name, { last_fire_at: next.at });
      this.plan(next.at, next.at);
      void this.fire({ kind: next.kind, at: new Date(next.at).toISOString() });
    }, wait);
  }

  /**
   * A trigger fired: start a run, or apply the overlap policy if one goes on. Resolves with the
   * run it started, if it started one.
   */
  fire(trigger: Trigger): Promise<string | undefined> {
    return this.enqueue(async () => {
      if (this.disarmed) return undefined;
      if (this.starting || this.runningJob !== undefined) {
        await this.overlap(trigger);
        return undefined;
      }
      return this.startRun(trigger);
    });
  }

  private async overlap(trigger: Trigger): Promise<void> {
    const running = this.runningJob;
    if (this.spec.overlap === 'skip') {
      this.ctx.log(
        'info',
        `agent ${this.name}: ${trigger.kind} skipped, run ${running} still going`,
      );
      return;
    }
    this.pending = mergeTriggers(this.pending, trigger);
    if (this.spec.overlap === 'restart' && running !== undefined) {
      this.ctx.log('info', `agent ${this.name}: ${trigger.kind} restarts run ${running}`);
      // Not awaited in the chain: its end arrives as an event, which starts the pending run.
      this.ctx.host.stopJob(running).catch((error: unknown) => {
        this.ctx.log('warn', `agent ${this.name}: could not stop run ${running}: ${String(error)}`);
      });
    }
  }

  private async startRun(trigger: Trigger): Promise<string | undefined> {
    this.starting = true;
    let jobId: string;
    try {
      ({ job_id: jobId } = await this.ctx.host.startRun({
        spec: this.spec,
        callerEnv: this.callerEnv,
        trigger,
      }));
    } catch (error) {
      this.starting = false;
      this.countFailure(`could not start a run: ${(error as Error).message}`);
      return undefined;
    }
    this.ctx.store.addRun(jobId, this.name, trigger, Date.now());
    this.runningJob = jobId;
    this.starting = false;
    this.ctx.log('info', `agent ${this.name}: run ${jobId} started by ${trigger.kind}`, {
      agent: this.name,
      job_id: jobId,
      trigger: trigger.kind,
    });
    this.ctx.onRun(this.name, 'started', jobId);
    // A run can end before the engine's event reached us: look once.
    const state = await this.ctx.host.jobState(jobId);
    if (state && !state.live) await this.ended(jobId);
    await this.prune();
    return jobId;
  }

  /** The engine says a job ended: if it was this agent's run, count it and start what waits. */
  runEnded(jobId: string): void {
    void this.enqueue(() => this.ended(jobId));
  }

  private async ended(jobId: string): Promise<void> {
    if (this.runningJob !== jobId) return;
    this.runningJob = undefined;
    const state = await this.ctx.host.jobState(jobId);
    const ok = state?.status === 'completed';
    if (ok) this.ctx.store.update(this.name, { failures: 0, error: null });
    this.ctx.log(
      ok ? 'info' : 'warn',
      `agent ${this.name}: run ${jobId} ${state?.status ?? 'gone'}`,
      {
        agent: this.name,
        job_id: jobId,
        status: state?.status,
        exit_code: state?.exit_code,
      },
    );
    this.ctx.onRun(this.name, 'ended', jobId);
    if (!ok && this.countFailure(null)) return;
    const pending = this.pending;
    this.pending = undefined;
    if (pending && !this.disarmed) await this.startRun(pending);
  }

  /** Counts a failed run (or start); returns true when stop_after_failures stopped the agent. */
  private countFailure(error: string | null): boolean {
    if (error !== null) this.ctx.log('error', `agent ${this.name}: ${error}`);
    const failures = (this.ctx.store.get(this.name)?.failures ?? 0) + 1;
    this.ctx.store.update(this.name, { failures, ...(error !== null ? { error } : {}) });
    const limit = this.spec.stop_after_failures;
    if (limit === undefined || failures < limit) return false;
    const message = `stopped after ${failures} failed runs in a row (stop_after_failures: ${limit})`;
    this.ctx.log('error', `agent ${this.name}: ${message}`);
    this.ctx.store.update(this.name, { state: 'failed', error: message, updated_at: Date.now() });
    this.disarmed = true;
    this.pending = undefined;
    this.ctx.onGaveUp(this.name);
    return true;
  }

  /** Removes ended runs past runs_kept, oldest first. */
  private async prune(): Promise<void> {
    const old = this.ctx.store.runs(this.name).slice(this.spec.runs_kept);
    for (const run of old) {
      if (run.job_id === this.runningJob) continue;
      await this.ctx.host.removeJob(run.job_id).catch(() => undefined);
    }
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T | undefined> {
    const result = this.chain.then(step).catch((error: unknown) => {
      this.ctx.log('error', `agent ${this.name}: ${String(error)}`);
      return undefined;
    });
    this.chain = result.then(() => undefined);
    return result;
  }

  /** Stops watching and scheduling; with `stopRun`, also stops the run that goes on. */
  async disarm(options: { stopRun: boolean }): Promise<void> {
    this.disarmed = true;
    this.probe.abort();
    clearTimeout(this.timer);
    this.nextAt = undefined;
    this.pending = undefined;
    await this.watch?.close();
    await this.chain;
    const running = this.runningJob;
    if (options.stopRun && running !== undefined)
      await this.ctx.host.stopJob(running).catch(() => undefined);
  }
}
