import { executeMany } from '../../api/execute-many.js';
import { executeManyInputSchema, executeManyOutputSchema } from '../../api/start.js';
import type { ExecuteResult } from '../../api/start.js';
import { formatDuration, jobLabel } from '../../present/words.js';
import { endedLine, outputLines, waitSummary } from '../outcome.js';
import { defineTool } from '../tool.js';

export const executeTool = defineTool({
  name: 'execute',
  title: 'Run a command in the background',
  description: [
    'Run a shell command as a background job that outlives this chat: its job_id at once, or its',
    'outcome with wait_s. `jobs`: several. Services: `name`, `ready` + wait_until:"ready",',
    '`restart`. Then `wait`, not polling; `kill` when done.',
  ].join(' '),
  inputSchema: executeManyInputSchema,
  outputSchema: executeManyOutputSchema,
  // It runs an arbitrary command: it may change anything the user can, and reach the network.
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  workerFields: ['on', 'env_from_worker'],
  call: (api, input, options) => executeMany(api, input, options),
  summarize: (result, input) => {
    if (result.jobs !== undefined) {
      if (result.wait !== undefined) return waitSummary(result.wait, input.search);
      return startedMany(result.jobs);
    }
    const job = result as ExecuteResult;
    const waited = result.wait?.jobs[0];
    if (result.wait === undefined || waited === undefined) return startedSummary(job);
    const lines = outputLines(result.wait.jobs, input.search);
    const after = formatDuration(result.wait.waited_ms);
    if (!result.wait.done) {
      return [
        `Job ${jobLabel(job)} is still ${job.status} after ${after}; it goes on. Use wait with job_id "${job.job_id}".`,
        ...lines,
      ].join('\n');
    }
    return [endedLine(waited, ` after ${after}`), ...lines].join('\n');
  },
});

/** `Started 5 jobs, all running: a, b, …`, or a line a job when they differ. */
function startedMany(jobs: ExecuteResult[]): string {
  const plain = jobs.every((job) => job.name === null && !job.existing);
  const status = jobs[0]?.status;
  if (plain && jobs.every((job) => job.status === status)) {
    const all = jobs.length === 1 ? '' : ' all';
    return `Started ${jobs.length} job${jobs.length === 1 ? '' : 's'},${all} ${status}: ${jobs.map((job) => job.job_id).join(', ')}`;
  }
  return [`Started ${jobs.length} jobs:`, ...jobs.map(startLine)].join('\n');
}

/** One started job in a line: `k3f9x2qa ("shard-1"): running (pid 812)`. */
function startLine(job: ExecuteResult): string {
  const pid = job.pid === null ? '' : ` (pid ${job.pid})`;
  return `${jobLabel(job)}: ${job.existing ? `already ${job.status}` : job.status}${pid}`;
}

function startedSummary(job: ExecuteResult): string {
  const id = `job_id "${job.job_id}"`;
  if (job.existing) {
    return `Job ${jobLabel(job)} is already ${job.status}${job.pid === null ? '' : ` (pid ${job.pid})`}: returned it instead of starting another. Pass replace:true to restart it. Use wait, tail or output with ${id}.`;
  }
  const replaced = job.replaced === null ? '' : ` It replaced job ${job.replaced}, now stopped.`;
  if (job.status === 'queued') {
    const position =
      job.queue_position === null ? '' : `, position ${job.queue_position} in the queue`;
    return `Queued job ${jobLabel(job)} (the concurrency limit is reached${position}); it starts when a running job ends.${replaced} Use wait, tail or output with ${id}.`;
  }
  if (job.status === 'running') {
    const pid = job.pid === null ? '' : `, pid ${job.pid}`;
    return `Started job ${jobLabel(job)} (running${pid}).${replaced} Use wait, tail or output with ${id}.`;
  }
  return `Job ${jobLabel(job)} has already ended: ${job.status}. Use status or output with ${id} to see why.`;
}
