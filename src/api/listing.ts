import { z } from 'zod';
import { inputObject } from './strict.js';
import { jobRefSchema, jobStatusSchema } from './job.js';

// ── status / list ──────────────────────────────────────────────────────────────────────────
export const jobSummarySchema = z.object({
  job_id: z.string(),
  name: z.string().nullable(),
  project: z.string().nullable(),
  kind: z.enum(['shell', 'llm']),
  status: jobStatusSchema,
  command: z.string(),
  cwd: z.string(),
  pid: z.number().nullable(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  on: z
    .string()
    .nullable()
    .describe('The worker label a remote job was sent to; null for a job of this machine.'),
  worker: z
    .object({ name: z.string(), host: z.string() })
    .nullable()
    .describe('The worker that runs (or ran) a remote job, once one took it.'),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

const streamStatsSchema = z.object({
  bytes: z.number().describe('Bytes the job has written to this stream.'),
  dropped: z.number().describe('Oldest bytes dropped to respect the per-stream cap.'),
});

export const statusInputSchema = inputObject({ job_id: jobRefSchema });
export type StatusInput = z.input<typeof statusInputSchema>;

/** What started a job that is an agent's run. */
export const triggerSchema = z.object({
  kind: z.enum(['watch', 'every', 'cron', 'on_start', 'manual']),
  changed: z.array(z.string()).optional().describe('For watch: the paths that changed.'),
  at: z.string().optional().describe('For every and cron: the time the schedule fell due.'),
});
export type Trigger = z.infer<typeof triggerSchema>;

export const statusOutputSchema = jobSummarySchema.extend({
  agent: z.string().nullable().describe('The background agent this job is a run of.'),
  trigger: triggerSchema.nullable().describe("What started this agent's run."),
  reason: z.string().nullable(),
  duration_ms: z.number().nullable(),
  timeout_s: z.number().nullable(),
  env: z.record(z.string(), z.string()),
  stdin_open: z.boolean(),
  waiting_for_input: z
    .boolean()
    .describe('True when the job is blocked reading its stdin: answer it with interact.'),
  queue_position: z.number().nullable(),
  stdout: streamStatsSchema,
  stderr: streamStatsSchema,
  logs_evicted: z.boolean(),
  ready: z
    .boolean()
    .nullable()
    .describe('Whether its readiness condition was met (null: no condition given).'),
  ready_state: z.enum(['pending', 'ready', 'failed']).nullable(),
  ready_at: z.string().nullable(),
  time_to_ready_ms: z.number().nullable().describe('From the start of the run to ready.'),
  ready_match: z.string().nullable().describe('The output line that made it ready or failed.'),
  ports: z.array(z.number()).describe('TCP ports its processes listen on.'),
  runs: z.number().describe('How many times it was started (services restart).'),
  last_exit: z
    .object({ exit_code: z.number().nullable(), signal: z.string().nullable() })
    .nullable()
    .describe('How the previous run ended, for a restarted service.'),
  restart_policy: z.enum(['no', 'on-failure', 'always']),
  next_restart_at: z.string().nullable(),
  pty: z.object({ cols: z.number(), rows: z.number() }).nullable(),
  lifetime: z.enum(['persistent', 'session']),
  project: z.string().nullable(),
  priority: z.number(),
  after: z.array(z.string()).describe('Jobs that must complete before this one starts.'),
  attempt: z.number().describe('Which attempt this is (1 for the first); see retries.'),
  retries: z.number(),
  retry_at: z.string().nullable().describe('When a queued retry starts.'),
  model: z.string().nullable().describe('For a prompt job: the model, as provider:model.'),
  usage: z
    .object({ input_tokens: z.number().nullable(), output_tokens: z.number().nullable() })
    .nullable()
    .describe('For a prompt job: the tokens its answer used, once known.'),
  finish_reason: z.string().nullable(),
  latency_ms: z.number().nullable().describe('For a prompt job: from request to the last token.'),
});
export type StatusResult = z.infer<typeof statusOutputSchema>;

export const listInputSchema = inputObject({
  status: z.union([jobStatusSchema, z.array(jobStatusSchema).min(1)]).optional(),
  name: z.string().optional(),
  agent: z.string().optional().describe("Only this agent's runs."),
  all: z.boolean().default(false).describe("Every project's."),
  limit: z.number().int().min(1).max(1000).default(50),
});
export type ListInput = z.input<typeof listInputSchema>;

export const listOutputSchema = z.object({
  jobs: z.array(jobSummarySchema),
  total: z.number().describe('How many jobs match, before the limit.'),
  project: z.string().nullable().describe('The project listed (null: all jobs).'),
  other_projects: z
    .number()
    .nullable()
    .describe('How many jobs of other projects match too (all:true lists them); null: all listed.'),
});
export type ListResult = z.infer<typeof listOutputSchema>;
