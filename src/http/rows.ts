import { z } from 'zod';

import type { AgentInfo } from '../agents/api.js';
import type { JobSummary, StatusResult } from '../api/listing.js';
import type { WorkerSummary } from '../remote/workers-list.js';

/**
 * What the dashboard's API sends: the rows of the jobs table and the messages of its event
 * streams. One module, so the server and the browser (which imports these types) agree.
 */
export type JobRow = JobSummary & {
  ports: number[];
  ready_state: StatusResult['ready_state'];
  reason: string | null;
  pty: boolean;
  /** The agent this job is a run of. */
  agent: string | null;
  /** For a prompt: its model. */
  model: string | null;
  /** Runs of a service (restarts included) and how the previous one ended; null when unknown. */
  runs: number | null;
  last_exit: StatusResult['last_exit'];
  restart_policy: StatusResult['restart_policy'] | null;
  next_restart_at: string | null;
};

export function rowOfStatus(status: StatusResult): JobRow {
  return {
    job_id: status.job_id,
    name: status.name,
    project: status.project,
    kind: status.kind,
    status: status.status,
    command: status.command,
    cwd: status.cwd,
    pid: status.pid,
    exit_code: status.exit_code,
    signal: status.signal,
    created_at: status.created_at,
    started_at: status.started_at,
    ended_at: status.ended_at,
    on: status.on,
    worker: status.worker,
    ports: status.ports,
    ready_state: status.ready_state,
    reason: status.reason,
    pty: status.pty !== null,
    agent: status.agent,
    model: status.model,
    runs: status.runs,
    last_exit: status.last_exit,
    restart_policy: status.restart_policy,
    next_restart_at: status.next_restart_at,
  };
}

export function rowOfSummary(summary: JobSummary): JobRow {
  // Assigned, not spread: see toStatus in engine/verbs/present.ts (a table of 1,000 rows).
  return Object.assign({}, summary, {
    ports: [],
    ready_state: null,
    reason: null,
    pty: false,
    agent: null,
    model: null,
    runs: null,
    last_exit: null,
    restart_policy: null,
    next_restart_at: null,
  });
}

/** A piece of a job's output, as the job page's stream sends it (bytes as written, ANSI kept). */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
  /** Bytes left out before this chunk because the page fell too far behind (or the cap). */
  skipped: number;
}

/**
 * The table's stream: `snapshot` (the newest page first, then — when there are more — the whole
 * table, each replacing the last), then `job` for each change of a job.
 */
export interface SnapshotMessage {
  jobs: JobRow[];
  total: number;
  /** False for the first page of a larger table: the whole one follows. */
  complete: boolean;
}

/** Body of `POST /api/jobs/:id/input`: bytes for the job's stdin (or its terminal). */
export const inputBodySchema = z.object({
  data: z
    .string()
    .min(1)
    .max(64 * 1024),
});

/** Body of `POST /api/jobs/:id/kill`. */
export const killBodySchema = z.object({
  signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT']).default('SIGTERM'),
});

/** An agent as the dashboard shows it: what agent_list says, and its latest runs. */
export type AgentRow = AgentInfo & { recent: JobRow[] };

/** The agents view's stream: `agents`, whole, at first and again at each change. */
export interface AgentsMessage {
  /** False where no agents are served (an HTTP server without the daemon's agents). */
  available: boolean;
  agents: AgentRow[];
}

/** A worker as the workers view shows it: what `bgjobs workers` says, and its remote jobs. */
export type WorkerRow = WorkerSummary & { jobs: JobRow[] };

/** The workers view's stream: `workers`, whole, at first and again at each change. */
export interface WorkersMessage {
  /** False where the server has no BGJOBS_REDIS_URL (it sees no workers). */
  available: boolean;
  /** Why the workers could not be read this time (Redis down, a bad password). */
  problem: string | null;
  workers: WorkerRow[];
  /** Remote jobs no worker has started yet. */
  waiting: JobRow[];
}
