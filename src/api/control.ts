import { z } from 'zod';
import { inputObject } from './strict.js';
import { MAX_COMMAND_BYTES, MAX_WAIT_S, jobRefSchema, jobStatusSchema } from './job.js';
import { KEY_NAMES_SUMMARY } from './keys.js';
import { SIGNAL_FORMS, signalName, unknownSignalMessage } from './signals.js';

// ── interact ───────────────────────────────────────────────────────────────────────────────
export const interactInputSchema = inputObject({
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
    .optional()
    .describe(
      'Without expect, interact returns as soon as the job waits for input again. Where the kernel cannot tell (the job is never seen waiting), it returns once the output has been quiet this long (default 300; 2000 with no output at all). Given, quiet this long also ends the wait while the job is busy.',
    ),
  timeout_s: z.number().min(0).max(MAX_WAIT_S).default(10).describe('Never wait longer than this.'),
});
export type InteractInput = z.input<typeof interactInputSchema>;

export const interactOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  returned_because: z
    .enum(['expect', 'waiting_for_input', 'settled', 'exited', 'timeout', 'no_wait'])
    .describe(
      'waiting_for_input: the job read the input, answered and waits for more (its output drained); settled: the output went quiet where the kernel cannot tell.',
    ),
  stdin_open: z.boolean(),
  screen: z
    .string()
    .nullable()
    .describe('For a pty job: the visible terminal screen now (█ marks the cursor).'),
});
export type InteractResult = z.infer<typeof interactOutputSchema>;

// ── kill / wait / remove ───────────────────────────────────────────────────────────────────
/** A signal in any accepted form (`TERM`, `sigterm`, `15`), as its `SIG` name. */
const signalSchema = z.union([z.string(), z.number().int()]).transform((raw, ctx) => {
  const name = signalName(raw);
  if (name !== undefined) return name;
  ctx.issues.push({ code: 'custom', message: unknownSignalMessage(raw), input: raw });
  return z.NEVER;
});

export const killInputSchema = inputObject({
  job_id: jobRefSchema,
  signal: signalSchema
    .default('SIGTERM')
    .describe(`First signal, sent to the whole process group: ${SIGNAL_FORMS}.`),
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

export const waitInputSchema = inputObject({
  job_id: jobRefSchema.optional(),
  job_ids: z.array(jobRefSchema).min(1).max(100).optional(),
  mode: z.enum(['all', 'any']).default('all').describe('Wait for all the jobs, or any one.'),
  until: z
    .enum(['exit', 'ready', 'input'])
    .default('exit')
    .describe(
      'exit: until the job ends; ready: until its readiness condition is met (a job without one is ready once running); input: until it waits for input (a prompt, a question), looked for in /proc every 50 ms. A failure pattern, or the job ending, always ends the wait.',
    ),
  timeout_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .default(30)
    .describe(`Return done:false after this many seconds (at most ${MAX_WAIT_S}); call again.`),
});
export type WaitInput = z.input<typeof waitInputSchema>;

const firedSchema = z.enum(['ready', 'input', 'failed_pattern', 'exited', 'timeout']);

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
  fired: firedSchema.describe(
    'What ended the wait: ready, input (waiting for input), failed_pattern, exited or timeout.',
  ),
  jobs: z.array(waitJobSchema),
  waited_ms: z.number(),
});
export type WaitResult = z.infer<typeof waitOutputSchema>;

export const removeInputSchema = inputObject({
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
