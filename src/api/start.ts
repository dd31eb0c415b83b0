import { z } from 'zod';
import { inputObject } from './strict.js';
import { digestShape, waitInputSchema, waitOutputSchema } from './control.js';
import { MAX_WAIT_S, jobStatusSchema, schedulingShape } from './job.js';
import { portSchema, ptySizeSchema, readySpecSchema, restartSpecSchema } from './specs.js';

/** What a name that a live job holds means for a new job: the same for every kind of job. */
const replaceField = z
  .boolean()
  .default(false)
  .describe(
    'With a name already running: stop that job and start this one (default: return the running one).',
  );

// ── execute ────────────────────────────────────────────────────────────────────────────────
export const executeInputSchema = inputObject({
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
  replace: replaceField,
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
  on: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_.-]{0,62}$/,
      'a worker label: lowercase letters, digits, "_", "." or "-"',
    )
    .optional()
    .describe(
      'Run on a worker with this label (another machine; needs BGJOBS_REDIS_URL). Its env overrides travel through Redis; cwd is a directory there.',
    ),
  env_from_worker: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
    .max(100)
    .optional()
    .describe(
      'With on: variables the worker supplies from its own environment (secrets stay there).',
    ),
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
export const promptInputSchema = inputObject({
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
  params: inputObject({
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
  replace: replaceField,
  timeout_s: z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .optional(),
  ...schedulingShape,
});
export type PromptInput = z.input<typeof promptInputSchema>;

// ── execute, as the MCP tool offers it: several jobs, and a wait, in one call ─────────────
export const MAX_BATCH_JOBS = 50;

export const executeManyInputSchema = inputObject({
  ...executeInputSchema.shape,
  command: executeInputSchema.shape.command.optional(),
  jobs: z
    .array(z.record(z.string(), z.unknown()))
    .min(1)
    .max(MAX_BATCH_JOBS)
    .optional()
    .describe(
      `Instead of command: start up to ${MAX_BATCH_JOBS} jobs at once, each an object of these same fields ({command, name, cwd, …}); fields given beside jobs apply to every one.`,
    ),
  wait_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .default(0)
    .describe(
      'Wait up to this many seconds (0: return at once): a job that ends (or meets wait_until) by then comes back with its outcome and last lines, as wait would say; otherwise it goes on.',
    ),
  wait_until: waitInputSchema.shape.until,
  ...digestShape,
});
export type ExecuteManyInput = z.input<typeof executeManyInputSchema>;

export const executeManyOutputSchema = executeOutputSchema.partial().extend({
  jobs: z.array(executeOutputSchema).optional().describe('With jobs: each started job, in order.'),
  wait: waitOutputSchema.optional().describe('With wait_s: what waiting for the job(s) found.'),
});
export type ExecuteManyResult = z.infer<typeof executeManyOutputSchema>;
