import { z } from 'zod';

import type { CallOptions, JobsApi } from '../../api/contract.js';
import type { JobStatus } from '../../api/job.js';
import type { StatusResult } from '../../api/listing.js';
import { promptInputSchema } from '../../api/start.js';
import {
  defineProfileTool,
  STRUCTURED_JSON,
  type Profile,
  type ProfileContext,
  type Reply,
} from './profile-tool.js';
import { isUnknownJob, readAllOutput } from './reads.js';

/**
 * Drop-in for the "Background Agent MCP Tool": hand a task to an LLM in the background, then
 * check on it, fetch its answer, list tasks and cancel one. Each task is a bgjobs prompt job
 * (the task description is the prompt, `model_params` its generation parameters), so tasks
 * survive this server and are visible to bgjobs' own tools and CLI. Results are one JSON object,
 * sent as compact JSON text and as `structuredContent` with an output schema; a task id that
 * names no prompt job is a tool error, `Task <id> not found`.
 *
 * The original's source was not to be found: its tool names, arguments and status words are
 * kept; the result objects are a reconstruction, flat and self-describing.
 *
 * Not copied: `cancel_task` really stops the work — the HTTP request to the model is aborted —
 * where the original only marked the task cancelled. Task ids are bgjobs job ids, not UUIDs.
 */

const style = STRUCTURED_JSON;

// ── statuses ───────────────────────────────────────────────────────────────────────────────
export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** bgjobs' status of a prompt job in the original's words; a retry waiting to run is pending. */
export function taskStatus(status: JobStatus): TaskStatus {
  switch (status) {
    case 'queued':
      return 'pending';
    case 'running':
      return 'running';
    case 'completed':
      return 'completed';
    case 'killed':
      return 'cancelled';
    case 'failed':
    case 'timed_out':
    case 'lost':
      return 'failed';
  }
}

const JOB_STATUSES_OF: Record<TaskStatus, JobStatus[]> = {
  pending: ['queued'],
  running: ['running'],
  completed: ['completed'],
  failed: ['failed', 'timed_out', 'lost'],
  cancelled: ['killed'],
};

const statusSchema = z
  .enum(TASK_STATUSES)
  .describe('pending, running, completed, failed or cancelled');
const taskIdSchema = z.string().describe('The task_id submit_background_task returned.');

// ── a task, as check_task_status and list_background_tasks show it ─────────────────────────
const taskSchema = z.object({
  task_id: z.string(),
  status: statusSchema,
  task_description: z
    .string()
    .describe(
      "The task's first line, shortened to 80 characters (get_task_result has the answer).",
    ),
  model: z.string().nullable().describe('The model, as provider:model.'),
  created_at: z.string().describe('UTC ISO time the task was submitted.'),
  started_at: z.string().nullable().describe('UTC ISO time the model was first asked.'),
  completed_at: z.string().nullable().describe('UTC ISO time the task ended, if it has.'),
  error: z.string().nullable().describe('Why the task failed (failed tasks only).'),
  usage: z
    .object({ input_tokens: z.number().nullable(), output_tokens: z.number().nullable() })
    .nullable()
    .describe('Tokens the answer used, once known.'),
  finish_reason: z.string().nullable().describe('Why the model stopped: stop, length, …'),
  latency_ms: z.number().nullable().describe('From the request to the last token.'),
});
type Task = z.input<typeof taskSchema>;

/** The prompt job TASKID names, or null when it names a job that is no task (a shell command). */
async function readJob(
  api: JobsApi,
  taskId: string,
  options: CallOptions,
): Promise<StatusResult | null> {
  const job = await api.status({ job_id: taskId }, options);
  return job.kind === 'llm' ? job : null;
}

/** A prompt job as the original showed a task. */
function toTask(job: StatusResult): Task {
  const status = taskStatus(job.status);
  const prefix = job.model === null ? '' : `prompt ${job.model}: `;
  return {
    task_id: job.job_id,
    status,
    task_description: job.command.startsWith(prefix)
      ? job.command.slice(prefix.length)
      : job.command,
    model: job.model,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.ended_at,
    error: status === 'failed' ? (job.reason ?? 'the task failed') : null,
    usage: job.usage,
    finish_reason: job.finish_reason,
    latency_ms: job.latency_ms,
  };
}

/** The task TASKID names, or null when it names no task. */
async function readTask(api: JobsApi, taskId: string, options: CallOptions): Promise<Task | null> {
  const job = await readJob(api, taskId, options);
  return job === null ? null : toTask(job);
}

const notFound = (taskId: string) => ({ toolError: `Task ${taskId} not found` });

/** Its tool errors for a lookup: an unknown id in its words, anything else with `prefix`. */
function lookupError(taskId: string, prefix: string, error: unknown, context: ProfileContext) {
  if (isUnknownJob(error)) return notFound(taskId);
  return { toolError: `${prefix}: ${context.describe(error)}` };
}

/**
 * The answer of a completed prompt job: its stdout without the newline bgjobs ends a file with,
 * and, when it was retried, only the last attempt's (bgjobs writes a line between attempts).
 */
export function answerOf(stdout: string, attempt: number): string {
  let answer = stdout;
  if (attempt > 1) {
    const boundary = new RegExp(
      `\\[bgjobs\\] attempt ${attempt - 1} failed \\([\\s\\S]*?\\); attempt ${attempt} in [\\d.]+ s\\n`,
      'g',
    );
    let end = -1;
    for (const match of answer.matchAll(boundary)) end = match.index + match[0].length;
    if (end >= 0) answer = answer.slice(end);
  }
  return answer.endsWith('\n') ? answer.slice(0, -1) : answer;
}

// ── submit_background_task ─────────────────────────────────────────────────────────────────
const paramsSchema = promptInputSchema.shape.params
  .unwrap()
  .strict()
  .describe(
    'Generation parameters: max_tokens, temperature, top_p, top_k, stop (a list), seed. Others are refused.',
  );

const submitTool = defineProfileTool(style, {
  name: 'submit_background_task',
  title: 'Submit a background task',
  description: [
    'Hand a task to an LLM in the background and return its task_id at once. The model and its',
    'API key are checked now. Follow it with check_task_status and get_task_result.',
  ].join(' '),
  inputSchema: z.object({
    task_description: z.string().min(1).describe('What the model should do: the prompt.'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The model: provider:model ("anthropic:claude-sonnet-4-5", "ollama:llama2") or a bare name ("claude-3-5-sonnet-20241022", "gpt-4o", "gemini-pro"); default BGJOBS_DEFAULT_MODEL.',
      ),
    model_params: paramsSchema.optional(),
  }),
  outputSchema: z.object({
    task_id: z.string(),
    status: statusSchema,
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  run: async (api, input, context) => {
    try {
      const job = await api.prompt(
        { prompt: input.task_description, model: input.model, params: input.model_params },
        context.options,
      );
      return {
        value: {
          task_id: job.job_id,
          status: taskStatus(job.status),
          message: `Task submitted. Check it with check_task_status; get its answer with get_task_result.`,
        },
      };
    } catch (error) {
      return { toolError: `Failed to submit task: ${context.describe(error)}` };
    }
  },
});

// ── check_task_status ──────────────────────────────────────────────────────────────────────
const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

const statusTool = defineProfileTool(style, {
  name: 'check_task_status',
  title: 'Check a background task',
  description:
    "A task's status (pending, running, completed, failed or cancelled), its times, its model, why it failed, and the tokens its answer used.",
  inputSchema: z.object({ task_id: taskIdSchema }),
  outputSchema: taskSchema,
  annotations: readOnly,
  run: async (api, { task_id }, context): Promise<Reply<Task>> => {
    try {
      const task = await readTask(api, task_id, context.options);
      return task === null ? notFound(task_id) : { value: task };
    } catch (error) {
      return lookupError(task_id, 'Failed to check task status', error, context);
    }
  },
});

// ── get_task_result ────────────────────────────────────────────────────────────────────────
const resultSchema = z.object({
  task_id: z.string(),
  status: statusSchema,
  result: z.string().nullable().describe("The model's answer, once the task has completed."),
  message: z.string().nullable().describe('Why there is no result (yet), when there is none.'),
});
type ResultValue = z.input<typeof resultSchema>;

function noResult(task: Task): string {
  const id = task.task_id;
  switch (task.status) {
    case 'pending':
      return `Task ${id} is pending: it has not started yet. Check again with check_task_status.`;
    case 'running':
      return `Task ${id} is still running. Check again with check_task_status.`;
    case 'failed':
      return `Task ${id} failed: ${task.error ?? 'no reason recorded'}`;
    case 'cancelled':
      return `Task ${id} was cancelled.`;
    case 'completed':
      return `Task ${id} completed.`;
  }
}

const resultTool = defineProfileTool(style, {
  name: 'get_task_result',
  title: 'Get a background task result',
  description:
    'The answer of a completed task; for any other, why there is none yet (pending, running) or will be none (failed, cancelled).',
  inputSchema: z.object({ task_id: taskIdSchema }),
  outputSchema: resultSchema,
  annotations: readOnly,
  run: async (api, { task_id }, context): Promise<Reply<ResultValue>> => {
    try {
      const job = await readJob(api, task_id, context.options);
      if (job === null) return notFound(task_id);
      const task = toTask(job);
      const base = { task_id: task.task_id, status: task.status };
      if (task.status !== 'completed') {
        return { value: { ...base, result: null, message: noResult(task) } };
      }
      const { stdout } = await readAllOutput(api, task.task_id, context.options);
      return { value: { ...base, result: answerOf(stdout, job.attempt), message: null } };
    } catch (error) {
      return lookupError(task_id, 'Failed to get task result', error, context);
    }
  },
});

// ── list_background_tasks ──────────────────────────────────────────────────────────────────
const MAX_LISTED_JOBS = 1000;

const listTool = defineProfileTool(style, {
  name: 'list_background_tasks',
  title: 'List background tasks',
  description: 'The background tasks, newest first, each as check_task_status shows it.',
  inputSchema: z.object({
    limit: z.number().int().min(1).max(100).default(10).describe('At most this many tasks.'),
    status_filter: statusSchema.optional().describe('Only tasks with this status.'),
  }),
  outputSchema: z.object({
    tasks: z.array(taskSchema),
    count: z.number().describe('How many tasks are listed.'),
  }),
  annotations: readOnly,
  run: async (api, { limit, status_filter }, context) => {
    try {
      const { jobs } = await api.list(
        {
          all: true,
          limit: MAX_LISTED_JOBS,
          ...(status_filter && { status: JOB_STATUSES_OF[status_filter] }),
        },
        context.options,
      );
      const prompts = jobs.filter((job) => job.kind === 'llm').slice(0, limit);
      const tasks = await Promise.all(
        prompts.map(async (job) => {
          try {
            return await readTask(api, job.job_id, context.options);
          } catch (error) {
            // Removed between the listing and now.
            if (isUnknownJob(error)) return null;
            throw error;
          }
        }),
      );
      const listed = tasks.filter((task): task is Task => task !== null);
      return { value: { tasks: listed, count: listed.length } };
    } catch (error) {
      return { toolError: `Failed to list tasks: ${context.describe(error)}` };
    }
  },
});

// ── cancel_task ────────────────────────────────────────────────────────────────────────────
const cancelTool = defineProfileTool(style, {
  name: 'cancel_task',
  title: 'Cancel a background task',
  description: [
    'Cancel a pending or running task: a pending one never runs, a running one has its request',
    'to the model aborted at once. A task that has already ended is left as it is.',
  ].join(' '),
  inputSchema: z.object({ task_id: z.string().describe('The task_id of the task to cancel.') }),
  outputSchema: z.object({
    task_id: z.string(),
    cancelled: z.boolean().describe('Whether this call stopped the task.'),
    status: statusSchema,
    message: z.string(),
  }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async (api, { task_id }, context) => {
    try {
      const task = await readTask(api, task_id, context.options);
      if (task === null) return notFound(task_id);
      if (task.status !== 'pending' && task.status !== 'running') {
        const message = `Task ${task.task_id} had already ended (${task.status}); nothing to cancel.`;
        return { value: { task_id: task.task_id, cancelled: false, status: task.status, message } };
      }
      const killed = await api.kill({ job_id: task.task_id }, context.options);
      const status = taskStatus(killed.status);
      const message = killed.already_ended
        ? `Task ${task.task_id} had already ended (${status}); nothing to cancel.`
        : `Task ${task.task_id} was cancelled: ${task.status === 'pending' ? 'it will not run' : 'its request to the model was aborted'}.`;
      return {
        value: { task_id: task.task_id, cancelled: !killed.already_ended, status, message },
      };
    } catch (error) {
      return lookupError(task_id, 'Failed to cancel task', error, context);
    }
  },
});

export const backgroundAgent: Profile = {
  serverName: 'background-agent',
  tools: [submitTool, statusTool, resultTool, listTool, cancelTool],
};
