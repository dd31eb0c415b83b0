import { z } from 'zod';
import { defaultUnlisted, describedIn, fieldsInWords, inputObject } from './strict.js';
import { digestShape, untilSchema, waitOutputSchema } from './control.js';
import { MAX_WAIT_S, jobStatusSchema, retriesField, schedulingShape } from './job.js';

/** A prompt is tried again twice by default: providers fail transiently (429s, 5xx). */
export const DEFAULT_PROMPT_RETRIES = 2;
import { portSchema, ptySizeSchema, readySpecSchema, restartSpecSchema } from './specs.js';

/** What a name that a live job holds means for a new job: the same for every kind of job. */
const replaceField = z
  .boolean()
  .default(false)
  .describe('Restart a live job of this name, not return it.');

// ── execute ────────────────────────────────────────────────────────────────────────────────
export const executeInputSchema = inputObject({
  command: z.string().min(1),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  name: z.string().optional().describe('Unique while live; usable as its id.'),
  timeout_s: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 3600)
    .optional()
    .describe('Then stop it (timed_out).'),
  replace: replaceField,
  // The objects' fields said in words: their names and a few words tell a model all it needs.
  ready: fieldsInWords(
    readySpecSchema.optional(),
    'Up once one holds: {pattern: output regex, port: accepts connections, url: answers 2xx}; fail_pattern: output regex of failure.',
  ),
  restart: fieldsInWords(
    restartSpecSchema.optional(),
    'Restart it on exit: {policy: "on-failure"|"always"|"no", max_restarts: quick restarts before giving up (16), min_uptime_s: a shorter run is quick (1), stop_exit_codes: exit codes meaning done}.',
  ),
  port: portSchema.optional().describe('Refused at once if taken.'),
  pty: z.union([z.boolean(), ptySizeSchema]).default(false).describe('Run in a terminal (120x40).'),
  // Persistent by default, as execute's description says: it outlives the chat.
  lifetime: defaultUnlisted(
    z
      .enum(['persistent', 'session'])
      .default('persistent')
      .describe('session: ends with this session.'),
  ),
  on: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_.-]{0,62}$/,
      'a worker label: lowercase letters, digits, "_", "." or "-"',
    )
    .optional()
    .describe('A worker label to run on.'),
  env_from_worker: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
    .max(100)
    .optional()
    .describe('With on: variables from the worker.'),
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
  prompt: z.string().min(1).max(1_000_000),
  model: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('provider:model, e.g. "ollama:llama3.2"; default BGJOBS_DEFAULT_MODEL.'),
  system: z.string().max(200_000).optional(),
  params: fieldsInWords(
    inputObject({
      max_tokens: z.number().int().min(1).max(1_000_000).optional(),
      temperature: z.number().min(0).max(2).optional(),
      top_p: z.number().min(0).max(1).optional(),
      top_k: z.number().int().min(1).optional(),
      stop: z.array(z.string()).max(16).optional(),
      seed: z.number().int().optional(),
    }).optional(),
    'Sampling: max_tokens, temperature, top_p, top_k, stop (strings), seed.',
  ),
  on: executeInputSchema.shape.on.describe("As in execute (the worker's provider keys)."),
  // The fields a prompt shares with a command mean what execute's listing says they mean.
  ...describedIn('execute', {
    name: executeInputSchema.shape.name,
    replace: replaceField,
    timeout_s: z
      .number()
      .int()
      .positive()
      .max(24 * 3600)
      .optional(),
    ...schedulingShape,
    retries: retriesField(DEFAULT_PROMPT_RETRIES),
  }),
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
    .describe('Instead of command: [{command, name, …}]; fields beside apply to all.'),
  wait_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .default(0)
    .describe('Wait up to this long for the end (or wait_until).'),
  wait_until: untilSchema,
  ...digestShape,
});
export type ExecuteManyInput = z.input<typeof executeManyInputSchema>;

export const executeManyOutputSchema = executeOutputSchema.partial().extend({
  jobs: z.array(executeOutputSchema).optional().describe('With jobs: each started job, in order.'),
  wait: waitOutputSchema.optional().describe('With wait_s: what waiting for the job(s) found.'),
});
export type ExecuteManyResult = z.infer<typeof executeManyOutputSchema>;
