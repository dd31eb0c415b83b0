import { z } from 'zod';

import { promptInputSchema } from '../../api/start.js';
import { defineProfileTool, STRUCTURED_JSON, type Profile, type Reply } from './profile-tool.js';
import { isUnknownJob, readAllOutput } from './reads.js';
import {
  taskStatus,
  JOB_STATUSES_OF,
  statusSchema,
  taskIdSchema,
  taskSchema,
  type Task,
  readJob,
  toTask,
  readTask,
  notFound,
  lookupError,
  answerOf,
} from './background-agent-tasks.js';

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
 * As there, a task without `model` runs on claude-3-5-sonnet-20241022 (BGJOBS_DEFAULT_MODEL
 * overrides it), `get_task_result` on a running task gives the answer so far, marked partial,
 * and a model name that cannot be resolved fails the task, its reason in check_task_status.
 *
 * Not copied: `cancel_task` really stops the work — the HTTP request to the model is aborted —
 * where the original only marked the task cancelled. Task ids are bgjobs job ids, not UUIDs.
 */

/** The model the original used when a task named none. */
export const ORIGINAL_DEFAULT_MODEL = 'claude-3-5-sonnet-20241022';

const style = STRUCTURED_JSON;

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
        'The model: provider:model ("anthropic:claude-sonnet-4-5", "ollama:llama2") or a bare name ("gpt-4o", "gemini-pro"); default BGJOBS_DEFAULT_MODEL, else claude-3-5-sonnet-20241022.',
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
      // BGJOBS_DEFAULT_MODEL, in the caller's environment, is read by the prompt itself.
      const fallback = context.options.caller?.env.BGJOBS_DEFAULT_MODEL?.trim()
        ? undefined
        : ORIGINAL_DEFAULT_MODEL;
      // As in the original, a model name that cannot be resolved fails the task (its reason in
      // check_task_status) rather than the submission.
      const caller = context.options.caller && {
        ...context.options.caller,
        lateModelErrors: true,
      };
      const job = await api.prompt(
        {
          prompt: input.task_description,
          model: input.model ?? fallback,
          params: input.model_params,
        },
        { ...context.options, caller },
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
  result: z
    .string()
    .nullable()
    .describe("The model's answer: whole once completed, the text so far while running."),
  partial: z.boolean().describe('True when result is the answer so far of a running task.'),
  message: z
    .string()
    .nullable()
    .describe('Why there is no whole result (yet), when there is none.'),
});
type ResultValue = z.input<typeof resultSchema>;

function noResult(task: Task): string {
  const id = task.task_id;
  switch (task.status) {
    case 'pending':
      return `Task ${id} is pending: it has not started yet. Check again with check_task_status.`;
    case 'running':
      return `Task ${id} is still running: result is its answer so far (partial). Check again with check_task_status.`;
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
    'The answer of a completed task; of a running one, the answer so far (partial: true); for any other, why there is none yet (pending) or will be none (failed, cancelled).',
  inputSchema: z.object({ task_id: taskIdSchema }),
  outputSchema: resultSchema,
  annotations: readOnly,
  run: async (api, { task_id }, context): Promise<Reply<ResultValue>> => {
    try {
      const job = await readJob(api, task_id, context.options);
      if (job === null) return notFound(task_id);
      const task = toTask(job);
      const base = { task_id: task.task_id, status: task.status };
      if (task.status !== 'completed' && task.status !== 'running') {
        return { value: { ...base, result: null, partial: false, message: noResult(task) } };
      }
      const { stdout } = await readAllOutput(api, task.task_id, context.options);
      const answer = answerOf(stdout, job.attempt);
      if (task.status === 'running') {
        return { value: { ...base, result: answer, partial: true, message: noResult(task) } };
      }
      return { value: { ...base, result: answer, partial: false, message: null } };
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
