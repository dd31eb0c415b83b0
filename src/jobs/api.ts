import { z } from 'zod';

import { BgError, describeZodError, ErrorCode } from '../errors.js';

import { KEY_NAMES_SUMMARY } from './keys.js';
import { jobStatusSchema } from './model.js';
import { portSchema, ptySizeSchema, readySpecSchema, restartSpecSchema } from './specs.js';

/**
 * The one typed API behind every client. The engine implements it in-process; the daemon
 * client implements it over the daemon's socket; the MCP tools and the CLI verbs are thin
 * adapters over it. The zod schemas here are the source of truth for what crosses a boundary:
 * the MCP tools use them as input and output schemas, the socket validates with them.
 */

// Ids are short and lowercase; names start with a letter and never look like an id.
export const JOB_ID_PATTERN = /^[a-z0-9]{8}$/;
export const JOB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

export const MAX_COMMAND_BYTES = 64 * 1024;
export const MAX_WAIT_S = 50;

/** A job id, or the name of a job. Validated strictly before it is looked up. */
export const jobRefSchema = z
  .string()
  .min(1)
  .max(64)
  .describe('The job id (like "k3f9x2qa") or the job\'s name.');

const streamSchema = z.enum(['stdout', 'stderr', 'both']).default('both');

export { portSchema, ptySizeSchema, readySpecSchema, restartSpecSchema };
export type { ReadySpec, RestartSpec } from './specs.js';

/** Scheduling options that every kind of job takes. */
const schedulingShape = {
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .default(0)
    .describe('Among queued jobs, higher starts first (default 0).'),
  after: z
    .array(jobRefSchema)
    .max(100)
    .default([])
    .describe(
      'Jobs (ids or names) that must complete first; if one does not, this one fails unrun.',
    ),
  retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(0)
    .describe('Tries again after a failure (same id), with exponential backoff.'),
};

// ── execute ────────────────────────────────────────────────────────────────────────────────
export const executeInputSchema = z.object({
  command: z
    .string()
    .min(1)
    .describe('The shell command line, run with /bin/sh -c. Pipes, &&, redirections all work.'),
  cwd: z
    .string()
    .min(1)
    .optional()
    .describe("Working directory; default the caller's (or BGJOBS_WORKING_DIR)."),
  env: z
    .record(z.string(), z.string())
    .optional()
    .describe("Environment variables to set for this job, on top of the caller's environment."),
  name: z
    .string()
    .optional()
    .describe('A name unique among live jobs, usable wherever a job id is (e.g. "dev-server").'),
  timeout_s: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 3600)
    .optional()
    .describe('Stop the job (status timed_out) after this many seconds.'),
  replace: z
    .boolean()
    .default(false)
    .describe(
      'With a name already running: stop that job and start this one (default: return the running one).',
    ),
  ready: readySpecSchema
    .optional()
    .describe('How to tell the job is ready (a service is up): wait with until:"ready" uses it.'),
  restart: restartSpecSchema.optional().describe('Restart the job when it ends (services).'),
  port: portSchema
    .optional()
    .describe('The TCP port the job will listen on: refused at once if something holds it.'),
  pty: z
    .union([z.boolean(), ptySizeSchema])
    .default(false)
    .describe('Run in a pseudo-terminal (true, or {cols, rows}); for programs that need a TTY.'),
  lifetime: z
    .enum(['persistent', 'session'])
    .default('persistent')
    .describe('persistent: outlives this session (default); session: stopped when it ends.'),
  ...schedulingShape,
});
export type ExecuteInput = z.input<typeof executeInputSchema>;

export const executeOutputSchema = z.object({
  job_id: z.string(),
  name: z.string().nullable(),
  status: jobStatusSchema,
  pid: z.number().nullable(),
  queue_position: z.number().nullable(),
  existing: z
    .boolean()
    .describe('True when a live job with this name was returned instead of starting another.'),
  replaced: z.string().nullable().describe('The job stopped to make way for this one (replace).'),
});
export type ExecuteResult = z.infer<typeof executeOutputSchema>;

// ── prompt ─────────────────────────────────────────────────────────────────────────────────
export const promptInputSchema = z.object({
  prompt: z.string().min(1).max(1_000_000).describe('The prompt text to send to the model.'),
  model: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'provider:model, e.g. "anthropic:claude-sonnet-4-5", "openai:gpt-4o-mini", "google:gemini-2.0-flash", "ollama:llama3.2", or "openai-compatible:<model>@<base URL>"; default BGJOBS_DEFAULT_MODEL.',
    ),
  system: z.string().max(200_000).optional().describe('A system prompt.'),
  params: z
    .object({
      max_tokens: z.number().int().min(1).max(1_000_000).optional(),
      temperature: z.number().min(0).max(2).optional(),
      top_p: z.number().min(0).max(1).optional(),
      top_k: z.number().int().min(1).optional(),
      stop: z.array(z.string()).max(16).optional(),
      seed: z.number().int().optional(),
    })
    .optional()
    .describe('Generation parameters.'),
  name: z.string().optional().describe('A name unique among live jobs, usable wherever an id is.'),
  timeout_s: z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .optional(),
  ...schedulingShape,
});
export type PromptInput = z.input<typeof promptInputSchema>;

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
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

const streamStatsSchema = z.object({
  bytes: z.number().describe('Bytes the job has written to this stream.'),
  dropped: z.number().describe('Oldest bytes dropped to respect the per-stream cap.'),
});

export const statusInputSchema = z.object({ job_id: jobRefSchema });
export type StatusInput = z.input<typeof statusInputSchema>;

export const statusOutputSchema = jobSummarySchema.extend({
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

export const listInputSchema = z.object({
  status: z
    .union([jobStatusSchema, z.array(jobStatusSchema).min(1)])
    .optional()
    .describe('Only jobs with this status (or any of these).'),
  name: z.string().optional().describe('Only jobs with this name.'),
  all: z
    .boolean()
    .default(false)
    .describe("Jobs of every project; by default only the current project's (its git root)."),
  limit: z.number().int().min(1).max(1000).default(50).describe('At most this many, newest first.'),
});
export type ListInput = z.input<typeof listInputSchema>;

export const listOutputSchema = z.object({
  jobs: z.array(jobSummarySchema),
  total: z.number().describe('How many jobs match, before the limit.'),
  project: z.string().nullable().describe('The project listed (null: all jobs).'),
});
export type ListResult = z.infer<typeof listOutputSchema>;

// ── output / tail / search ─────────────────────────────────────────────────────────────────
export const DEFAULT_READ_BYTES = 16 * 1024;
export const MAX_READ_BYTES = 1024 * 1024;

export const outputInputSchema = z.object({
  job_id: jobRefSchema,
  stream: streamSchema.describe('Which stream(s) to read.'),
  stdout_offset: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Byte offset to read stdout from (a previous next_offset); default the oldest kept.'),
  stderr_offset: z.number().int().min(0).optional().describe('Byte offset to read stderr from.'),
  new_only: z
    .boolean()
    .default(false)
    .describe('Read only what is new since your last output call on this job.'),
  max_bytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_READ_BYTES)
    .default(DEFAULT_READ_BYTES)
    .describe('At most this many bytes per stream.'),
  raw: z
    .boolean()
    .default(false)
    .describe('Return bytes as written: keep ANSI escapes and \\r progress lines.'),
  screen: z
    .boolean()
    .default(false)
    .describe('For a pty job: also return the visible terminal screen.'),
});
export type OutputInput = z.input<typeof outputInputSchema>;

export const streamReadSchema = z.object({
  start: z.number().describe('Byte offset of the first byte returned.'),
  next_offset: z.number().describe('Pass this as the offset to continue reading.'),
  size: z.number().describe('Bytes written to the stream so far.'),
  dropped: z.number().describe('Oldest bytes no longer kept (per-stream cap).'),
  more: z.boolean().describe('Whether more output exists after next_offset.'),
});
export type StreamRead = z.infer<typeof streamReadSchema>;

export const outputOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  stdout_read: streamReadSchema.nullable(),
  stderr_read: streamReadSchema.nullable(),
  more: z.boolean().describe('Whether either stream has more to read.'),
  screen: z.string().nullable().describe('The terminal screen, when asked for on a pty job.'),
});
export type OutputResult = z.infer<typeof outputOutputSchema>;

export const tailInputSchema = z.object({
  job_id: jobRefSchema,
  lines: z.number().int().min(1).max(10_000).default(20).describe('How many last lines.'),
  stream: streamSchema,
  raw: z.boolean().default(false),
});
export type TailInput = z.input<typeof tailInputSchema>;

export const tailOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean().describe('True when the lines asked for were longer than a read allows.'),
  screen: z
    .string()
    .nullable()
    .describe('For a pty job: the visible terminal screen (full-screen programs read best so).'),
});
export type TailResult = z.infer<typeof tailOutputSchema>;

export const searchInputSchema = z.object({
  job_id: jobRefSchema,
  pattern: z.string().min(1).max(1000).describe('A JavaScript regular expression.'),
  ignore_case: z.boolean().default(false),
  stream: streamSchema,
  context: z.number().int().min(0).max(20).default(2).describe('Lines of context each side.'),
  max_matches: z.number().int().min(1).max(500).default(50),
});
export type SearchInput = z.input<typeof searchInputSchema>;

export const searchMatchSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  line: z.number().describe('1-based line number within the kept output.'),
  offset: z.number().describe('Byte offset of the line in the stream.'),
  text: z.string(),
  before: z.array(z.string()),
  after: z.array(z.string()),
});
export type SearchMatch = z.infer<typeof searchMatchSchema>;

export const searchOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  matches: z.array(searchMatchSchema),
  truncated: z.boolean().describe('True when there were more matches than max_matches.'),
});
export type SearchResult = z.infer<typeof searchOutputSchema>;

// ── interact ───────────────────────────────────────────────────────────────────────────────
export const interactInputSchema = z.object({
  job_id: jobRefSchema,
  input: z.string().max(MAX_COMMAND_BYTES).optional().describe("Text to write to the job's stdin."),
  newline: z.boolean().default(true).describe('Append a newline to input (like pressing Enter).'),
  keys: z
    .array(z.string().min(1).max(40))
    .max(100)
    .optional()
    .describe(
      `Keys to press after the input, by name (for terminal programs): ${KEY_NAMES_SUMMARY}.`,
    ),
  close_stdin: z.boolean().default(false).describe('Close stdin after writing (sends EOF).'),
  expect: z
    .string()
    .max(1000)
    .optional()
    .describe('Return as soon as output written after the input matches this regex.'),
  settle_ms: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(300)
    .describe('Return once the output has been quiet this long (when no expect is given).'),
  timeout_s: z.number().min(0).max(MAX_WAIT_S).default(10).describe('Never wait longer than this.'),
});
export type InteractInput = z.input<typeof interactInputSchema>;

export const interactOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  returned_because: z.enum(['expect', 'settled', 'exited', 'timeout', 'no_wait']),
  stdin_open: z.boolean(),
  screen: z
    .string()
    .nullable()
    .describe('For a pty job: the visible terminal screen now (█ marks the cursor).'),
});
export type InteractResult = z.infer<typeof interactOutputSchema>;

// ── kill / wait / remove ───────────────────────────────────────────────────────────────────
export const SIGNALS = [
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;

export const killInputSchema = z.object({
  job_id: jobRefSchema,
  signal: z
    .enum(SIGNALS)
    .default('SIGTERM')
    .describe('First signal, sent to the whole process group.'),
  grace_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .optional()
    .describe('Seconds to wait before SIGKILL (default 5).'),
});
export type KillInput = z.input<typeof killInputSchema>;

export const killOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  already_ended: z.boolean(),
  escalated: z.boolean().describe('Whether SIGKILL was needed after the grace period.'),
  killed_pids: z.array(z.number()).describe('The processes of the job that were ended.'),
  freed_ports: z.array(z.number()).describe('TCP ports the job listened on that are free now.'),
  message: z.string(),
});
export type KillResult = z.infer<typeof killOutputSchema>;

export const waitInputSchema = z.object({
  job_id: jobRefSchema.optional(),
  job_ids: z.array(jobRefSchema).min(1).max(100).optional(),
  mode: z.enum(['all', 'any']).default('all').describe('Wait for all the jobs, or any one.'),
  until: z
    .enum(['exit', 'ready'])
    .default('exit')
    .describe(
      'exit: until the job ends; ready: until its readiness condition is met (a job without one is ready once running). A failure pattern always ends the wait.',
    ),
  timeout_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .default(30)
    .describe(`Return done:false after this many seconds (at most ${MAX_WAIT_S}); call again.`),
});
export type WaitInput = z.input<typeof waitInputSchema>;

const firedSchema = z.enum(['ready', 'failed_pattern', 'exited', 'timeout']);

export const waitJobSchema = z.object({
  job_id: z.string(),
  name: z.string().nullable(),
  status: jobStatusSchema,
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  reason: z.string().nullable(),
  ready: z.boolean().nullable(),
  fired: firedSchema.nullable().describe('What ended the wait for this job (null: nothing yet).'),
  match: z.string().nullable().describe('The output line that made it ready or failed.'),
});

export const waitOutputSchema = z.object({
  done: z.boolean(),
  fired: firedSchema.describe('What ended the wait: ready, failed_pattern, exited or timeout.'),
  jobs: z.array(waitJobSchema),
  waited_ms: z.number(),
});
export type WaitResult = z.infer<typeof waitOutputSchema>;

export const removeInputSchema = z.object({
  job_id: jobRefSchema,
  force: z.boolean().default(false).describe('Kill the job first if it is still live.'),
});
export type RemoveInput = z.input<typeof removeInputSchema>;

export const removeOutputSchema = z.object({
  job_id: z.string(),
  removed: z.boolean(),
  freed_bytes: z.number(),
  message: z.string(),
});
export type RemoveResult = z.infer<typeof removeOutputSchema>;

// ── the API ────────────────────────────────────────────────────────────────────────────────

/** Who is calling: a job inherits the caller's environment and working directory. */
export const callerSchema = z.object({
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  workingDir: z.string().optional(),
  allowedCommands: z.array(z.string()).optional(),
  jobTimeoutS: z.number().optional(),
  /** Names whose read position `output` with `new_only` follows (one per MCP server, say). */
  reader: z.string().max(200).default('default'),
  /** The MCP session a `lifetime: "session"` job belongs to. */
  session: z.string().max(200).optional(),
  /** The client's roots (folders), for scoping jobs to a project. */
  roots: z.array(z.string()).max(100).optional(),
});
export type Caller = z.input<typeof callerSchema>;

/** Something that happened to a job, as `watch` reports it. */
export const jobEventSchema = z.object({
  type: z.enum(['started', 'ended', 'ready', 'restarting', 'retrying', 'output']),
  job_id: z.string(),
  name: z.string().nullable(),
  project: z.string().nullable(),
  /** The command, or the prompt's summary line, shortened to 200 characters. */
  command: z.string(),
  status: jobStatusSchema,
  /** For `ended`: how; for `ready`: the matching line; for `output`: bytes written so far. */
  detail: z.string().nullable(),
  at: z.string(),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

export interface WatchOptions {
  signal: AbortSignal;
  onEvent: (event: JobEvent) => void;
  caller?: Caller;
}

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface CallOptions {
  caller?: Caller;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface JobsApi {
  execute(input: ExecuteInput, options?: CallOptions): Promise<ExecuteResult>;
  list(input: ListInput, options?: CallOptions): Promise<ListResult>;
  status(input: StatusInput, options?: CallOptions): Promise<StatusResult>;
  output(input: OutputInput, options?: CallOptions): Promise<OutputResult>;
  tail(input: TailInput, options?: CallOptions): Promise<TailResult>;
  search(input: SearchInput, options?: CallOptions): Promise<SearchResult>;
  interact(input: InteractInput, options?: CallOptions): Promise<InteractResult>;
  kill(input: KillInput, options?: CallOptions): Promise<KillResult>;
  wait(input: WaitInput, options?: CallOptions): Promise<WaitResult>;
  remove(input: RemoveInput, options?: CallOptions): Promise<RemoveResult>;
  /** Hands a prompt to a model as a background job; the answer is the job's stdout. */
  prompt(input: PromptInput, options?: CallOptions): Promise<ExecuteResult>;
  /**
   * Reports job events (starts, ends, readiness, restarts, and output growth at most every
   * 250 ms per job) until the signal aborts; resolves then.
   */
  watch(options: WatchOptions): Promise<void>;
}

export const API_METHODS = [
  'execute',
  'list',
  'status',
  'output',
  'tail',
  'search',
  'interact',
  'kill',
  'wait',
  'remove',
  'prompt',
] as const satisfies readonly (keyof JobsApi)[];
export type ApiMethod = (typeof API_METHODS)[number];

/** Each method's input schema, so any boundary can validate a request the same way. */
export const INPUT_SCHEMAS = {
  execute: executeInputSchema,
  list: listInputSchema,
  status: statusInputSchema,
  output: outputInputSchema,
  tail: tailInputSchema,
  search: searchInputSchema,
  interact: interactInputSchema,
  kill: killInputSchema,
  wait: waitInputSchema,
  remove: removeInputSchema,
  prompt: promptInputSchema,
} as const satisfies Record<ApiMethod, z.ZodType>;

/** Each method's output schema, so a client can check what came back over a boundary. */
export const OUTPUT_SCHEMAS = {
  execute: executeOutputSchema,
  list: listOutputSchema,
  status: statusOutputSchema,
  output: outputOutputSchema,
  tail: tailOutputSchema,
  search: searchOutputSchema,
  interact: interactOutputSchema,
  kill: killOutputSchema,
  wait: waitOutputSchema,
  remove: removeOutputSchema,
  prompt: executeOutputSchema,
} as const satisfies Record<ApiMethod, z.ZodType>;

/** Validates a request against its schema; a bad one is an `invalid_input` BgError. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new BgError(ErrorCode.invalidInput, `Invalid input: ${describeZodError(parsed.error)}.`);
  }
  return parsed.data;
}
