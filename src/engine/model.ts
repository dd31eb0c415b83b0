import { z } from 'zod';

import { ownerSchema } from '../api/caller.js';
import { exitWords } from '../present/words.js';
import { jobStatusSchema } from '../api/job.js';
import {
  llmResultSchema,
  llmSpecSchema,
  ptySizeSchema,
  readySpecSchema,
  remoteSpecSchema,
  restartSpecSchema,
} from '../api/specs.js';

/**
 * A job as the store keeps it. Times are milliseconds since the epoch. `pid` is the job's
 * process (the leader of its own process group); `monitorPid` is the `sh` monitor that waits
 * for it. Each pid is paired with its start time so a recycled pid is never mistaken for ours.
 */
export const jobRecordSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** `remote`: a shell command run by a worker on another machine (see `remote`). */
  kind: z.enum(['shell', 'llm', 'remote']),
  command: z.string(),
  cwd: z.string(),
  /**
   * Only the overrides the caller asked for. The full environment a job starts with (the
   * caller's, the defaults, the overrides) is never stored here: it is kept in the job's
   * folder while the job is live (JobFolders.writeEnv).
   */
  envOverrides: z.record(z.string(), z.string()),
  status: jobStatusSchema,
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  pid: z.number().nullable(),
  pidStart: z.number().nullable(),
  monitorPid: z.number().nullable(),
  monitorStart: z.number().nullable(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  reason: z.string().nullable(),
  /** Why bgjobs asked the job to stop, if it did; the first reason wins. */
  stopRequest: z.enum(['kill', 'timeout', 'session']).nullable(),
  /**
   * When a stop under way escalates to SIGKILL: a stop is a durable intent, so a daemon that
   * starts while it is pending finishes it.
   */
  stopDeadline: z.number().nullable(),
  timeoutS: z.number().nullable(),
  maxOutputBytes: z.number(),
  stdinClosed: z.boolean(),
  /** Bytes the job wrote to each stream, known once it has ended (live sizes come from disk). */
  stdoutBytes: z.number(),
  stderrBytes: z.number(),
  /** Set when the logs were evicted to respect the total output cap. */
  logsEvicted: z.boolean(),
  /** Readiness: the condition, and what became of it (null when none was given). */
  ready: readySpecSchema.nullable(),
  readyState: z.enum(['pending', 'ready', 'failed']).nullable(),
  readyAt: z.number().nullable(),
  readyMatch: z.string().nullable(),
  /** Services: the restart policy, how many runs there were, and how the last one ended. */
  restart: restartSpecSchema.nullable(),
  runs: z.number(),
  /** Restarts after runs shorter than min_uptime_s: these count toward max_restarts. */
  unstableRestarts: z.number(),
  /** The current backoff before the next restart (grows ×1.5, resets after stable running). */
  restartDelayMs: z.number(),
  runStartedAt: z.number().nullable(),
  nextRestartAt: z.number().nullable(),
  lastExitCode: z.number().nullable(),
  lastSignal: z.string().nullable(),
  port: z.number().nullable(),
  pty: ptySizeSchema.nullable(),
  lifetime: z.enum(['persistent', 'session']),
  /** The MCP server process a `session` job belongs to. */
  owner: ownerSchema.nullable(),
  /** The project the job was started in: the git root of its cwd, or the client's root. */
  project: z.string().nullable(),
  /** Scheduling: higher priority starts first; `after` jobs must complete first. */
  priority: z.number(),
  after: z.array(z.string()),
  /** Retries after a failure, and which attempt this is (1 for the first). */
  retries: z.number(),
  attempt: z.number(),
  /** A queued retry waits until then. */
  retryAt: z.number().nullable(),
  /** An LLM prompt job: the model, the prompt parameters, and what the answer cost. */
  llm: llmSpecSchema.nullable(),
  llmResult: llmResultSchema.nullable(),
  /** A remote job: where it runs and what its worker needs (null for other kinds). */
  remote: remoteSpecSchema.nullable(),
});

export type JobRecord = z.infer<typeof jobRecordSchema>;

/** What the monitor recorded when the job's process ended. */
export type ExitInfo = { exitCode: number; signal: null } | { exitCode: null; signal: string };

/** A job's outcome: one discriminated union, decided by `decideOutcome`. */
export type Outcome =
  | { status: 'completed'; exitCode: 0; signal: null; reason: string }
  | { status: 'failed'; exitCode: number | null; signal: string | null; reason: string }
  | { status: 'killed'; exitCode: number | null; signal: string | null; reason: string }
  | { status: 'timed_out'; exitCode: number | null; signal: string | null; reason: string }
  | { status: 'lost'; exitCode: null; signal: null; reason: string };

/**
 * How a run ended, as its runner saw it. The job's outcome is decided from this and the job's
 * stop request (see decideOutcome).
 */
export interface Ending {
  /** The exit status, when it is known. */
  exit?: ExitInfo;
  /** Words for how it ended, where the exit status does not say it (a prompt's finish). */
  how?: string;
  /** It failed without an exit status (it could not start; the provider refused): not lost. */
  failed?: boolean;
  /**
   * Its command never ran: a daemon died between recording the start and spawning the monitor.
   * It goes back to the queue, as if that start had not happened.
   */
  notStarted?: boolean;
  /** false: trying again cannot help (a bad key). true: retry even an unknown outcome. */
  retryable?: boolean;
  /** How long to wait before the next attempt, when the failure said (a 429's Retry-After). */
  retryAfterMs?: number;
  /** What else the runner learned, recorded with the end (a prompt's usage). */
  recorded?: Partial<Pick<JobRecord, 'llmResult'>>;
}

const UNKNOWN_EXIT =
  'the job ended while no bgjobs process could observe it; its exit status is unknown';

/**
 * Decides how a job ended, for every kind of job. The first reason wins: a job bgjobs stopped
 * on request is `killed` (or `timed_out`) whatever it then returned; otherwise the exit status
 * decides, and a job whose exit status can no longer be known is `lost`.
 */
export function decideOutcome(ending: Ending, stopRequest: JobRecord['stopRequest']): Outcome {
  const { exit } = ending;
  const how = ending.how ?? (exit === undefined ? UNKNOWN_EXIT : describeExit(exit));
  const codes = exit ?? { exitCode: null, signal: null };
  // Asked to stop and gone: the outcome is known even when the exit status is not.
  if (stopRequest !== null) {
    const { status, why } = STOPPED[stopRequest];
    return { status, ...codes, reason: `${why} (${how})` };
  }
  if (ending.failed) return { status: 'failed', exitCode: null, signal: null, reason: how };
  if (exit === undefined) return { status: 'lost', exitCode: null, signal: null, reason: how };
  if (exit.exitCode === 0) return { status: 'completed', exitCode: 0, signal: null, reason: how };
  return { status: 'failed', ...exit, reason: how };
}

const STOPPED = {
  kill: { status: 'killed', why: 'killed on request' },
  timeout: { status: 'timed_out', why: 'timed out' },
  session: { status: 'killed', why: 'stopped when its MCP session ended (lifetime "session")' },
} as const satisfies Record<
  NonNullable<JobRecord['stopRequest']>,
  { status: 'killed' | 'timed_out'; why: string }
>;

export function describeExit(exit: ExitInfo): string {
  return exitWords(exit.exitCode, exit.signal);
}
