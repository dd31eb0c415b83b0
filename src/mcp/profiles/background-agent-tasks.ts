// The background-agent profile's tasks: its statuses, and a bgjobs job shown as one of its tasks.
import { z } from 'zod';

import type { CallOptions, JobsApi } from '../../api/contract.js';
import type { JobStatus } from '../../api/job.js';
import type { StatusResult } from '../../api/listing.js';
import type { ProfileContext } from './profile-tool.js';
import { isUnknownJob } from './reads.js';

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

export const JOB_STATUSES_OF: Record<TaskStatus, JobStatus[]> = {
  pending: ['queued'],
  running: ['running'],
  completed: ['completed'],
  failed: ['failed', 'timed_out', 'lost'],
  cancelled: ['killed'],
};

export const statusSchema = z
  .enum(TASK_STATUSES)
  .describe('pending, running, completed, failed or cancelled');
export const taskIdSchema = z.string().describe('The task_id submit_background_task returned.');

// ── a task, as check_task_status and list_background_tasks show it ─────────────────────────
export const taskSchema = z.object({
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
export type Task = z.input<typeof taskSchema>;

/** The prompt job TASKID names, or null when it names a job that is no task (a shell command). */
export async function readJob(
  api: JobsApi,
  taskId: string,
  options: CallOptions,
): Promise<StatusResult | null> {
  const job = await api.status({ job_id: taskId }, options);
  return job.kind === 'llm' ? job : null;
}

/** A prompt job as the original showed a task. */
export function toTask(job: StatusResult): Task {
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
export async function readTask(
  api: JobsApi,
  taskId: string,
  options: CallOptions,
): Promise<Task | null> {
  const job = await readJob(api, taskId, options);
  return job === null ? null : toTask(job);
}

export const notFound = (taskId: string) => ({ toolError: `Task ${taskId} not found` });

/** Its tool errors for a lookup: an unknown id in its words, anything else with `prefix`. */
export function lookupError(
  taskId: string,
  prefix: string,
  error: unknown,
  context: ProfileContext,
) {
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
