import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type Database from 'better-sqlite3';
import { z } from 'zod';

import { readEnvFile, removeEnvFile, writeEnvFile } from '../job-folder/env-file.js';
import { agentEnvDir, agentEnvPath } from './agent-env.js';
import { triggerSchema, type Trigger } from '../api/listing.js';
import { SqliteStore } from './sqlite-store.js';

/** Where agents live, in the jobs' SQLite file (the daemon its one writer). */
export const agentStateSchema = z.enum(['armed', 'paused', 'stopped', 'failed']);
export type AgentStoredState = z.infer<typeof agentStateSchema>;

export { triggerSchema, type Trigger };

const agentRowSchema = z.object({
  name: z.string(),
  spec: z.string().transform((text): unknown => JSON.parse(text)),
  state: agentStateSchema,
  error: z.string().nullable(),
  source: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
  last_fire_at: z.number().nullable(),
  failures: z.number(),
});
/**
 * An agent as stored; `spec` is checked by the agents module, which owns its schema.
 * `caller_env` (the environment of whoever defined it, which its runs start with) is not in
 * the database: it is kept in `<home>/agents/<name>.env`, 0600, while the agent is defined.
 */
export type AgentRow = z.output<typeof agentRowSchema> & { caller_env: Record<string, string> };
export type AgentRowInput = Omit<AgentRow, 'spec'> & { spec: unknown };

const runRowSchema = z.object({
  job_id: z.string(),
  agent: z.string(),
  trigger: z.string().transform((text) => triggerSchema.parse(JSON.parse(text))),
  created_at: z.number(),
});
export type RunRow = z.output<typeof runRowSchema>;

const serviceRowSchema = z.object({ name: z.string(), hash: z.string(), job_id: z.string() });
export type ServiceRow = z.output<typeof serviceRowSchema>;

const PATCHABLE = ['state', 'error', 'last_fire_at', 'failures', 'updated_at'] as const;
export type AgentPatch = Partial<Pick<AgentRow, (typeof PATCHABLE)[number]>>;

export class AgentStore {
  private readonly db: Database.Database;
  private readonly home: string;

  constructor(db: Database.Database) {
    this.db = db;
    // The database file is BGJOBS_HOME/bgjobs.db: the agents' environments live beside it.
    this.home = dirname(db.name);
  }

  get(name: string): AgentRow | undefined {
    const row: unknown = this.db.prepare('SELECT * FROM agents WHERE name = ?').get(name);
    return row === undefined ? undefined : this.withEnv(agentRowSchema.parse(row));
  }

  all(): AgentRow[] {
    return this.db
      .prepare('SELECT * FROM agents ORDER BY name')
      .all()
      .map((row) => this.withEnv(agentRowSchema.parse(row)));
  }

  // An agent whose file is gone (removed by hand) runs with bgjobs' defaults and its own env.
  private withEnv(row: z.output<typeof agentRowSchema>): AgentRow {
    return { ...row, caller_env: readEnvFile(agentEnvPath(this.home, row.name)) ?? {} };
  }

  /** Inserts or redefines an agent; its caller's environment goes to its 0600 file. */
  put(row: AgentRowInput): void {
    const { caller_env: env, ...stored } = row;
    mkdirSync(agentEnvDir(this.home), { recursive: true, mode: 0o700 });
    writeEnvFile(agentEnvPath(this.home, row.name), env);
    this.db
      .prepare(
        `INSERT INTO agents (name, spec, state, error, source, created_at, updated_at, last_fire_at, failures)
         VALUES (@name, @spec, @state, @error, @source, @created_at, @updated_at, @last_fire_at, @failures)
         ON CONFLICT (name) DO UPDATE SET spec = excluded.spec,
           state = excluded.state, error = excluded.error, source = excluded.source,
           updated_at = excluded.updated_at, last_fire_at = excluded.last_fire_at, failures = excluded.failures`,
      )
      .run({ ...stored, spec: JSON.stringify(row.spec) });
  }

  update(name: string, patch: AgentPatch): void {
    const fields = PATCHABLE.filter((field) => field in patch);
    if (fields.length === 0) return;
    const sets = fields.map((field) => `${field} = @${field}`).join(', ');
    this.db.prepare(`UPDATE agents SET ${sets} WHERE name = @name`).run({ ...patch, name });
  }

  /** Forgets an agent, its runs' links and its environment. */
  delete(name: string): void {
    this.db.prepare('DELETE FROM agents WHERE name = ?').run(name);
    this.db.prepare('DELETE FROM agent_runs WHERE agent = ?').run(name);
    removeEnvFile(agentEnvPath(this.home, name));
  }

  addRun(jobId: string, agent: string, trigger: Trigger, createdAt: number): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO agent_runs (job_id, agent, trigger, created_at) VALUES (?, ?, ?, ?)',
      )
      .run(jobId, agent, JSON.stringify(trigger), createdAt);
  }

  /** An agent's runs, newest first. */
  runs(agent: string, limit = 1000): RunRow[] {
    return this.db
      .prepare(
        'SELECT * FROM agent_runs WHERE agent = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      )
      .all(agent, limit)
      .map((row) => runRowSchema.parse(row));
  }

  runOf(jobId: string): RunRow | undefined {
    const row: unknown = this.db.prepare('SELECT * FROM agent_runs WHERE job_id = ?').get(jobId);
    return row === undefined ? undefined : runRowSchema.parse(row);
  }

  countRuns(agent: string): number {
    const row = this.db.prepare('SELECT count(*) AS n FROM agent_runs WHERE agent = ?').get(agent);
    return z.object({ n: z.number() }).parse(row).n;
  }

  /** What a project file started as services, by name. */
  services(source: string): ServiceRow[] {
    return this.db
      .prepare('SELECT name, hash, job_id FROM project_services WHERE source = ? ORDER BY name')
      .all(source)
      .map((row) => serviceRowSchema.parse(row));
  }

  putService(source: string, row: ServiceRow): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO project_services (source, name, hash, job_id) VALUES (?, ?, ?, ?)',
      )
      .run(source, row.name, row.hash, row.job_id);
  }

  deleteService(source: string, name: string): void {
    this.db.prepare('DELETE FROM project_services WHERE source = ? AND name = ?').run(source, name);
  }
}

/** The agent store over the jobs' own SQLite connection (the daemon holds it exclusively). */
export function agentStoreOf(jobs: unknown): AgentStore {
  if (!(jobs instanceof SqliteStore)) {
    throw new Error('agents need the SQLite job store: they share its file and its connection');
  }
  return new AgentStore(jobs.database);
}
