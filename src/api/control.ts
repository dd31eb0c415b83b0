import { z } from 'zod';
import { defaultUnlisted, describedIn, inputObject } from './strict.js';
import { MAX_COMMAND_BYTES, MAX_WAIT_S, jobRefSchema, jobStatusSchema } from './job.js';
import { KEY_NAMES_SHORT } from './keys.js';
import { signalName, unknownSignalMessage } from './signals.js';

// ── interact ───────────────────────────────────────────────────────────────────────────────
export const interactInputSchema = inputObject({
  job_id: jobRefSchema,
  input: z.string().max(MAX_COMMAND_BYTES).optional(),
  newline: z.boolean().default(true).describe('Press Enter after input.'),
  keys: z
    .array(z.string().min(1).max(40))
    .max(100)
    .optional()
    .describe(`After the input: ${KEY_NAMES_SHORT}.`),
  close_stdin: z.boolean().default(false).describe('Then send EOF.'),
  expect: z.string().max(1000).optional().describe('Regex on new output.'),
  settle_ms: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .optional()
    .describe('Where waiting for input cannot be seen: return after this much quiet (300).'),
  timeout_s: z.number().min(0).max(MAX_WAIT_S).default(10),
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
  exit_code: z
    .number()
    .nullable()
    .describe('Once the job has ended: its exit code (null: by a signal).'),
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
  signal: signalSchema.default('SIGTERM').describe('First signal (TERM, INT, HUP, KILL…; 15).'),
  grace_s: z.number().min(0).max(MAX_WAIT_S).optional().describe('Seconds before SIGKILL (5).'),
});
export type KillInput = z.input<typeof killInputSchema>;

export const killOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  already_ended: z.boolean(),
  escalated: z.boolean().describe('Whether SIGKILL was needed after the grace period.'),
  killed_pids: z.array(z.number()).describe('The processes of the job that were ended.'),
  escaped_pids: z
    .array(z.number())
    .describe(
      "Those of killed_pids that had left the job's process group and session (setsid, a double fork): found by the job's cgroup, the BGJOBS_JOB_ID in their environment, or its log files they held open.",
    ),
  freed_ports: z.array(z.number()).describe('TCP ports the job listened on that are free now.'),
  message: z.string(),
});
export type KillResult = z.infer<typeof killOutputSchema>;

/** Most lines a wait returns per stream of a job, and most matching lines per job. */
export const MAX_DIGEST_LINES = 100;
export const DIGEST_MATCHES = 20;

/** What a wait brings back of each job whose wait ended: the answer to the next question. */
export const digestShape = {
  tail_lines: z
    .number()
    .int()
    .min(0)
    .max(MAX_DIGEST_LINES)
    .default(10)
    .describe('Last lines of each ended job (0: none).'),
  search: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe(`Regex: also its matching lines, e.g. "FAIL".`),
};

/** A job's last lines and matching lines, read when its wait ended. */
export const digestSchema = z.object({
  stdout: z.string().describe('Last tail_lines lines of stdout.'),
  stderr: z.string().describe('Last tail_lines lines of stderr.'),
  truncated: z.boolean().describe('True when those lines were longer than one read allows.'),
  matches: z
    .array(z.object({ stream: z.enum(['stdout', 'stderr']), line: z.number(), text: z.string() }))
    .nullable()
    .describe(
      'Lines matching search (line: 1-based number in the kept output); null without search.',
    ),
  more_matches: z.boolean().describe('More lines matched than were returned: use search.'),
});
export type Digest = z.infer<typeof digestSchema>;

/**
 * What a wait waits for, besides the end; execute's wait_until is the same. The end by default,
 * as the descriptions of wait and wait_s say.
 */
export const untilSchema = defaultUnlisted(
  z
    .enum(['exit', 'ready', 'input'])
    .default('exit')
    .describe('ready: its ready condition met; input: it waits for input.'),
);

export const waitInputSchema = inputObject({
  // One of the two is required. The published schema says so in words only: a top-level anyOf
  // would say it formally, but the Anthropic API refuses every request whose tools have one.
  job_id: jobRefSchema.optional().describe('Or job_ids: one is required.'),
  job_ids: z
    .array(jobRefSchema)
    .min(1)
    .max(100)
    .optional()
    .describe('Several jobs, instead of job_id.'),
  // All by default: "until jobs end", as wait's description says.
  mode: defaultUnlisted(z.enum(['all', 'any']).default('all').describe('any: the first to end.')),
  until: untilSchema.describe('As wait_until in execute.'),
  timeout_s: z
    .number()
    .min(0)
    .max(MAX_WAIT_S)
    .default(30)
    .describe(`Then done:false; call again (max ${MAX_WAIT_S}).`),
  // execute, listed first, says what they mean.
  ...describedIn('execute', digestShape),
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
  output: digestSchema
    .nullable()
    .describe('Its last lines (and search matches) once its wait ended; null before.'),
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
  force: z.boolean().default(false).describe('Kill it first if live.'),
});
export type RemoveInput = z.input<typeof removeInputSchema>;

export const removeOutputSchema = z.object({
  job_id: z.string(),
  removed: z.boolean(),
  freed_bytes: z.number(),
  message: z.string(),
});
export type RemoveResult = z.infer<typeof removeOutputSchema>;
