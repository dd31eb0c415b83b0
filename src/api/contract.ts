import { z } from 'zod';
import {
  type InteractInput,
  type InteractResult,
  type KillInput,
  type KillResult,
  type RemoveInput,
  type RemoveResult,
  type WaitInput,
  type WaitResult,
  interactInputSchema,
  interactOutputSchema,
  killInputSchema,
  killOutputSchema,
  removeInputSchema,
  removeOutputSchema,
  waitInputSchema,
  waitOutputSchema,
} from './control.js';
import { BgError, describeZodError, ErrorCode } from './errors.js';
import { jobStatusSchema } from './job.js';
import {
  type ListInput,
  type ListResult,
  type StatusInput,
  type StatusResult,
  listInputSchema,
  listOutputSchema,
  statusInputSchema,
  statusOutputSchema,
} from './listing.js';
import {
  type OutputInput,
  type OutputResult,
  type SearchInput,
  type SearchResult,
  type TailInput,
  type TailResult,
  outputInputSchema,
  outputOutputSchema,
  searchInputSchema,
  searchOutputSchema,
  tailInputSchema,
  tailOutputSchema,
} from './read.js';
import {
  type ExecuteInput,
  type ExecuteResult,
  type PromptInput,
  executeInputSchema,
  executeOutputSchema,
  promptInputSchema,
} from './start.js';

/**
 * The one typed API behind every client. The engine implements it in-process; the daemon
 * client implements it over the daemon's socket; the MCP tools and the CLI verbs are thin
 * adapters over it. The zod schemas in src/api are the source of truth for what crosses a
 * boundary: the MCP tools use them as input and output schemas, the socket validates with them.
 */

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
