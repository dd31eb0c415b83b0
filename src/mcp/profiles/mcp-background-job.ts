import { z } from 'zod';

import { ErrorCode, isBgError } from '../../api/errors.js';
import type { JobStatus } from '../../api/job.js';
import {
  defineProfileTool,
  STRUCTURED_JSON,
  type Profile,
  type ProfileContext,
  type Reply,
} from './profile-tool.js';
import { joinedLines, lastLines, pydanticUtcDatetime } from './python.js';
import { isUnknownJob, listAllJobs, readAllOutput } from './reads.js';

/**
 * Drop-in for `mcp-background-job` (PyPI, FastMCP 2): seven tools returning pydantic models, so
 * each result is compact JSON text and the same object as `structuredContent`, with an output
 * schema. Failures are tool errors ("Job <id> not found"), except `kill`, which answers
 * `{"status": "not_found"}`. Output is kept as lines: each result is those lines joined by `\n`.
 *
 * Not copied: commands run in a shell (its `shlex.split` broke pipes and quoting), kill stops the
 * whole process tree (it signalled the shell alone), output is not a ring buffer of lines that
 * forgets the oldest, a partial last line is shown, its command blocklist is replaced by bgjobs'
 * allowlist (BGJOBS_ALLOWED_COMMANDS), and `job_id` is a bgjobs job id, not a UUID.
 */

const style = STRUCTURED_JSON;

/**
 * Its four statuses, and `queued`: it had no queue, and a job waiting for a slot
 * (BGJOBS_MAX_JOBS) is not running — saying so would make a model wait on output that cannot
 * come, or kill a job that never started.
 */
export const BACKGROUND_JOB_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'killed',
] as const;
export type BackgroundJobStatus = (typeof BACKGROUND_JOB_STATUSES)[number];

/**
 * A bgjobs status in its terms: a queued job is `queued` (see above); a job that
 * died of SIGTERM or SIGKILL is killed, whoever sent it (it judged by the exit code); a timeout
 * and a lost job are failures.
 */
export function backgroundJobStatus(job: {
  status: JobStatus;
  signal: string | null;
}): BackgroundJobStatus {
  switch (job.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'running';
    case 'completed':
      return 'completed';
    case 'killed':
      return 'killed';
    case 'failed':
      return job.signal === 'SIGTERM' || job.signal === 'SIGKILL' ? 'killed' : 'failed';
    case 'timed_out':
    case 'lost':
      return 'failed';
  }
}

const statusSchema = z.enum(BACKGROUND_JOB_STATUSES).describe('Current job status');
const processOutputSchema = z.object({
  stdout: z.string().describe('Standard output content'),
  stderr: z.string().describe('Standard error content'),
});

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

/** Its tool errors for a job lookup: unknown ids in its words, anything else with `prefix`. */
function lookupError(jobId: string, prefix: string, error: unknown, context: ProfileContext) {
  if (isUnknownJob(error)) return { toolError: `Job ${jobId} not found` };
  return { toolError: `${prefix}: ${context.describe(error)}` };
}

// ── execute ────────────────────────────────────────────────────────────────────────
const executeTool = defineProfileTool(style, {
  name: 'execute',
  title: 'Run a command in the background',
  description: [
    'Start a shell command as a background job and return its job ID at once. Pipes, quoting',
    'and redirections work. Follow it with status, tail or output.',
  ].join(' '),
  inputSchema: z.object({ command: z.string().describe('Shell command to execute') }),
  outputSchema: z.object({ job_id: z.string().describe('Job identifier') }),
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  run: async (api, input, context) => {
    const command = input.command.trim();
    if (command === '') return { toolError: 'Invalid command: Command cannot be empty' };
    try {
      const job = await api.execute({ command }, context.options);
      return { value: { job_id: job.job_id } };
    } catch (error) {
      const message = context.describe(error);
      if (isBgError(error) && error.code === ErrorCode.limitReached) {
        return { toolError: `Job limit reached: ${message}` };
      }
      if (
        isBgError(error) &&
        (error.code === ErrorCode.invalidInput || error.code === ErrorCode.notAllowed)
      ) {
        return { toolError: `Invalid command: ${message}` };
      }
      return { toolError: `Failed to execute command: ${message}` };
    }
  },
});

// ── list ──────────────────────────────────────────────────────────────────────────────
const listTool = defineProfileTool(style, {
  name: 'list',
  title: 'List background jobs',
  description:
    'List every background job with its ID, status, command and start time, newest first.',
  inputSchema: z.object({}),
  outputSchema: z.object({
    jobs: z
      .array(
        z.object({
          job_id: z.string(),
          status: statusSchema,
          command: z.string(),
          started: z.string().describe('UTC timestamp when job started'),
        }),
      )
      .describe('List of all background jobs'),
  }),
  annotations: readOnly,
  run: async (api, _input, context) => {
    try {
      const jobs = (await listAllJobs(api, context.options)).map((job) => ({
        job_id: job.job_id,
        status: backgroundJobStatus(job),
        command: job.command,
        startedMs: Date.parse(job.started_at ?? job.created_at),
      }));
      jobs.sort((a, b) => b.startedMs - a.startedMs);
      return {
        value: {
          jobs: jobs.map(({ startedMs, ...job }) => ({
            ...job,
            started: pydanticUtcDatetime(startedMs),
          })),
        },
      };
    } catch (error) {
      return { toolError: `Failed to list jobs: ${context.describe(error)}` };
    }
  },
});

// ── status ─────────────────────────────────────────────────────────────────────────
const statusTool = defineProfileTool(style, {
  name: 'status',
  title: 'Job status',
  description:
    'The status of a background job: queued (waiting for a slot), running, completed, failed or killed.',
  inputSchema: z.object({ job_id: z.string().describe('Job ID to check') }),
  outputSchema: z.object({ status: statusSchema }),
  annotations: readOnly,
  run: async (api, { job_id }, context) => {
    try {
      const job = await api.status({ job_id }, context.options);
      return { value: { status: backgroundJobStatus(job) } };
    } catch (error) {
      return lookupError(job_id, 'Failed to get job status', error, context);
    }
  },
});

// ── output ─────────────────────────────────────────────────────────────────────────
const outputTool = defineProfileTool(style, {
  name: 'output',
  title: 'Job output',
  description: 'All the stdout and stderr a background job has written so far.',
  inputSchema: z.object({ job_id: z.string().describe('Job ID to get output from') }),
  outputSchema: processOutputSchema,
  annotations: readOnly,
  run: async (api, { job_id }, context) => {
    try {
      const job = await api.status({ job_id }, context.options);
      const { stdout, stderr } = await readAllOutput(api, job.job_id, context.options);
      return { value: { stdout: joinedLines(stdout), stderr: joinedLines(stderr) } };
    } catch (error) {
      return lookupError(job_id, 'Failed to get job output', error, context);
    }
  },
});

// ── tail ────────────────────────────────────────────────────────────────────────
const tailTool = defineProfileTool(style, {
  name: 'tail',
  title: 'Last lines of a job',
  description: 'The last lines of stdout and of stderr of a background job.',
  inputSchema: z.object({
    job_id: z.string().describe('Job ID to tail'),
    lines: z.number().int().min(1).max(1000).default(50).describe('Number of lines to return'),
  }),
  outputSchema: processOutputSchema,
  annotations: readOnly,
  run: async (api, { job_id, lines }, context) => {
    try {
      const tail = await api.tail({ job_id, lines, stream: 'both', raw: true }, context.options);
      return {
        value: { stdout: lastLines(tail.stdout, lines), stderr: lastLines(tail.stderr, lines) },
      };
    } catch (error) {
      return lookupError(job_id, 'Failed to tail job output', error, context);
    }
  },
});

// ── interact ──────────────────────────────────────────────────────────────────────
// It waited a fixed 0.1 s for a reply; waiting for the output to settle (within a bound) returns
// the reply a slower program gives, still promptly.
const INTERACT_SETTLE_MS = 200;
const INTERACT_TIMEOUT_S = 2;

const interactTool = defineProfileTool(style, {
  name: 'interact',
  title: 'Send input to a job',
  description: [
    "Write input to a running job's stdin (a newline is added unless it ends with one) and return",
    'the output that followed.',
  ].join(' '),
  inputSchema: z.object({
    job_id: z.string().describe('Job ID to interact with'),
    input: z.string().describe("Input to send to the job's stdin"),
  }),
  outputSchema: processOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  run: async (api, { job_id, input }, context) => {
    try {
      const reply = await api.interact(
        {
          job_id,
          input,
          newline: !input.endsWith('\n'),
          settle_ms: INTERACT_SETTLE_MS,
          timeout_s: INTERACT_TIMEOUT_S,
        },
        context.options,
      );
      return { value: { stdout: joinedLines(reply.stdout), stderr: joinedLines(reply.stderr) } };
    } catch (error) {
      if (isBgError(error) && error.code === ErrorCode.notRunning) {
        return { toolError: `Job ${job_id} is not running and cannot accept input` };
      }
      return lookupError(job_id, 'Failed to interact with job', error, context);
    }
  },
});

// ── kill ───────────────────────────────────────────────────────────────────────────────
const killOutputSchema = z.object({
  status: z
    .enum(['killed', 'already_terminated', 'not_found'])
    .describe("Kill result: 'killed', 'already_terminated', or 'not_found'"),
});
type KillValue = z.input<typeof killOutputSchema>;

const killTool = defineProfileTool(style, {
  name: 'kill',
  title: 'Stop a job',
  description: [
    'Stop a background job and every process it started: SIGTERM, then SIGKILL after a grace',
    'period. Answers killed, already_terminated or not_found.',
  ].join(' '),
  inputSchema: z.object({ job_id: z.string().describe('Job ID to kill') }),
  outputSchema: killOutputSchema,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async (api, { job_id }, context): Promise<Reply<KillValue>> => {
    try {
      const result = await api.kill({ job_id }, context.options);
      return { value: { status: result.already_ended ? 'already_terminated' : 'killed' } };
    } catch (error) {
      if (isUnknownJob(error)) return { value: { status: 'not_found' } };
      return { toolError: `Failed to kill job: ${context.describe(error)}` };
    }
  },
});

export const mcpBackgroundJob: Profile = {
  serverName: 'mcp-background-job',
  tools: [listTool, statusTool, outputTool, tailTool, executeTool, interactTool, killTool],
};
