import { BgError, ErrorCode, toBgError } from '../api/errors.js';
import type { AgentRow, AgentStore } from '../store/agent-store.js';
import type {
  AgentInfo,
  AgentListInput,
  AgentRunResult,
  AgentStartResult,
  AgentStopInput,
  AgentStopResult,
} from './api.js';
import { agentListInputSchema, agentNameInputSchema, agentStopInputSchema } from './api.js';
import { ArmedAgent, type LogFn } from './armed-agent.js';
import type { AgentHost } from './host.js';
import { describeAgent } from './info.js';
import { checkAgentCommand } from './caller-settings.js';
import { resolveCwd } from './resolve-cwd.js';
import {
  agentSpecSchema,
  agentStartInputSchema,
  type AgentSpec,
  type AgentStartInput,
} from './spec.js';

export interface AgentsOptions {
  store: AgentStore;
  host: AgentHost;
  home: string;
  log: LogFn;
}

/** Who defines an agent: runs start in its directory (by default) with its environment. */
export interface AgentCaller {
  cwd: string;
  env: Record<string, string>;
}

export type AgentEvent = {
  agent: string;
  type: 'changed' | 'run_started' | 'run_ended';
  job_id?: string;
};

/**
 * The agents of one daemon: defines, arms, disarms and describes them. Each armed agent asks the
 * engine for runs through the AgentHost, like any client.
 */
export class Agents {
  private readonly options: AgentsOptions;
  private readonly armed = new Map<string, ArmedAgent>();
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly stopListening: () => void;

  constructor(options: AgentsOptions) {
    this.options = options;
    this.stopListening = options.host.onJobEnded((jobId) => {
      const run = options.store.runOf(jobId);
      if (run) this.armed.get(run.agent)?.runEnded(jobId);
    });
  }

  /** How many agents are armed: the daemon stays up while any is. */
  get armedCount(): number {
    return this.armed.size;
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: AgentEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Arms every agent stored as armed (a daemon starting). One that fails is marked failed. */
  async armAll(): Promise<void> {
    for (const row of this.options.store.all()) {
      if (row.state === 'armed') await this.arm(row, { fresh: false });
    }
  }

  /** Defines (or redefines, with replace) an agent and arms it. */
  async start(
    raw: AgentStartInput,
    caller: AgentCaller,
    source: string | null = null,
  ): Promise<AgentStartResult> {
    const { replace, ...input } = agentStartInputSchema.parse(raw);
    const spec = agentSpecSchema.parse({ ...input, cwd: resolveCwd(input.cwd, caller.cwd) });
    checkAgentCommand(spec, caller.env);
    const { store } = this.options;
    const old = store.get(spec.name);
    if (old && JSON.stringify(old.spec) === JSON.stringify(spec) && old.state === 'armed') {
      const info = await this.info(old);
      return {
        name: spec.name,
        state: info.state,
        next_run_at: info.next_run_at,
        replaced: false,
        existing: true,
        error: null,
      };
    }
    if (old && !replace && (old.state === 'armed' || old.state === 'paused')) {
      throw new BgError(
        ErrorCode.nameTaken,
        `An agent named "${spec.name}" exists. Pass replace: true to redefine it, or stop it first (\`agent_stop\`).`,
      );
    }
    if (old) await this.disarm(spec.name, { stopRun: false });
    const now = Date.now();
    store.put({
      name: spec.name,
      spec,
      caller_env: caller.env,
      state: 'armed',
      error: null,
      source,
      created_at: old?.created_at ?? now,
      updated_at: now,
      last_fire_at: null,
      failures: 0,
    });
    const row = this.row(spec.name);
    await this.arm(row, { fresh: true });
    const info = await this.info(this.row(spec.name));
    return {
      name: spec.name,
      state: info.state,
      next_run_at: info.next_run_at,
      replaced: old !== undefined,
      existing: false,
      error: info.error,
    };
  }

  private async arm(row: AgentRow, options: { fresh: boolean }): Promise<void> {
    const { store, log } = this.options;
    const spec = agentSpecSchema.parse(row.spec);
    const armed = new ArmedAgent(row, spec, {
      ...this.options,
      onRun: (agent, type, jobId) =>
        this.emit({ agent, type: type === 'started' ? 'run_started' : 'run_ended', job_id: jobId }),
      onGaveUp: (agent) => {
        this.armed.delete(agent);
        void armed.disarm({ stopRun: false });
        this.emit({ agent, type: 'changed' });
      },
    });
    this.armed.set(row.name, armed);
    try {
      await armed.arm(options);
      if (row.error !== null) store.update(row.name, { error: null });
    } catch (error) {
      this.armed.delete(row.name);
      await armed.disarm({ stopRun: false });
      const message = toBgError(error).message;
      log('error', `agent ${row.name} failed to arm: ${message}`);
      store.update(row.name, { state: 'failed', error: message, updated_at: Date.now() });
    }
    this.emit({ agent: row.name, type: 'changed' });
  }

  private async disarm(name: string, options: { stopRun: boolean }): Promise<void> {
    const armed = this.armed.get(name);
    this.armed.delete(name);
    await armed?.disarm(options);
  }

  async list(raw: AgentListInput = {}): Promise<{ agents: AgentInfo[] }> {
    const input = agentListInputSchema.parse(raw);
    const rows = input.name === undefined ? this.options.store.all() : [this.row(input.name)];
    return { agents: await Promise.all(rows.map((row) => this.info(row))) };
  }

  private info(row: AgentRow): Promise<AgentInfo> {
    return describeAgent(
      row,
      agentSpecSchema.parse(row.spec),
      this.armed.get(row.name),
      this.options,
    );
  }

  /** Disarms an agent and stops its run; with remove, deletes it (and with runs, its runs). */
  async stop(raw: AgentStopInput): Promise<AgentStopResult> {
    const input = agentStopInputSchema.parse(raw);
    const { store, host } = this.options;
    this.row(input.name);
    await this.disarm(input.name, { stopRun: true });
    if (!input.remove) {
      store.update(input.name, { state: 'stopped', updated_at: Date.now() });
      this.emit({ agent: input.name, type: 'changed' });
      return {
        name: input.name,
        state: 'stopped',
        removed_runs: 0,
        message: `Agent ${input.name} stopped; resume it with agent resume.`,
      };
    }
    let removed = 0;
    if (input.runs) {
      for (const run of store.runs(input.name)) {
        await host.stopJob(run.job_id).catch(() => undefined);
        await host.removeJob(run.job_id).then(
          () => (removed += 1),
          () => undefined,
        );
      }
    }
    store.delete(input.name);
    this.emit({ agent: input.name, type: 'changed' });
    return {
      name: input.name,
      state: 'removed',
      removed_runs: removed,
      message: `Agent ${input.name} removed${input.runs ? ` with ${removed} runs` : '; its runs stay as jobs'}.`,
    };
  }

  /** Disarms an agent, keeping it; a run that goes on finishes. */
  async pause(raw: { name: string }): Promise<AgentInfo> {
    const { name } = agentNameInputSchema.parse(raw);
    this.row(name);
    await this.disarm(name, { stopRun: false });
    this.options.store.update(name, { state: 'paused', updated_at: Date.now() });
    this.emit({ agent: name, type: 'changed' });
    return this.info(this.row(name));
  }

  /** Arms a paused, stopped or failed agent again (on_start fires). */
  async resume(raw: { name: string }): Promise<AgentInfo> {
    const { name } = agentNameInputSchema.parse(raw);
    const row = this.row(name);
    if (!this.armed.has(name)) {
      this.options.store.update(name, {
        state: 'armed',
        error: null,
        failures: 0,
        updated_at: Date.now(),
      });
      await this.arm({ ...row, state: 'armed', error: null }, { fresh: true });
    }
    return this.info(this.row(name));
  }

  /** Starts a run now (trigger `manual`), under the agent's overlap policy. */
  async run(raw: { name: string }): Promise<AgentRunResult> {
    const { name } = agentNameInputSchema.parse(raw);
    const row = this.row(name);
    const armed = this.armed.get(name);
    if (!armed) {
      const spec = agentSpecSchema.parse(row.spec);
      const { job_id } = await this.options.host.startRun({
        spec,
        callerEnv: row.caller_env,
        trigger: { kind: 'manual' },
      });
      this.options.store.addRun(job_id, name, { kind: 'manual' }, Date.now());
      return { name, job_id, message: `Run ${job_id} started (the agent stays ${row.state}).` };
    }
    const jobId = await armed.fire({ kind: 'manual' });
    return jobId === undefined
      ? {
          name,
          job_id: null,
          message: `A run goes on (${armed.runningJob}); overlap "${armed.spec.overlap}" applied.`,
        }
      : { name, job_id: jobId, message: `Run ${jobId} started.` };
  }

  /** The stored definition of an agent, or undefined. */
  spec(name: string): AgentSpec | undefined {
    const row = this.options.store.get(name);
    return row ? agentSpecSchema.parse(row.spec) : undefined;
  }

  private row(name: string): AgentRow {
    const row = this.options.store.get(name);
    if (!row)
      throw new BgError(
        ErrorCode.notFound,
        `No agent "${name}". Call agent_list to see the agents there are.`,
      );
    return row;
  }

  /** Disarms every agent (the daemon stopping); runs go on under their monitors. */
  async close(): Promise<void> {
    this.stopListening();
    await Promise.all([...this.armed.keys()].map((name) => this.disarm(name, { stopRun: false })));
  }
}
