import { executeInputSchema, executeOutputSchema } from '../../api/start.js';
import { jobLabel } from '../format.js';
import { defineTool } from '../tool.js';

export const executeTool = defineTool({
  name: 'execute',
  title: 'Run a command in the background',
  description: [
    'Start a shell command as a background job and return at once with its job_id; it never waits',
    'for the command to finish. The job outlives this chat: it keeps running, with its output and',
    'exit code kept, across restarts of the MCP server and its client.',
    'Then: `wait` to block until it ends (do not poll `status`), `output` with new_only:true to read',
    'only what is new, `tail` for its last lines, `interact` to answer a prompt on its stdin.',
    'Services: give a `name` (e.g. "dev-server"): while it runs, execute returns that job',
    '(existing:true) instead of a duplicate; replace:true restarts it. Give `ready` (a log',
    'pattern, port or URL), then `wait` with until:"ready" instead of sleeping; `restart` restarts',
    'it when it exits; `port` is refused at once if taken. pty:true gives a terminal (drive it',
    'with interact `keys`, read its screen). lifetime:"session" stops it when this MCP session ends.',
    'Stop what you started with `kill` once you no longer need it.',
  ].join(' '),
  inputSchema: executeInputSchema,
  outputSchema: executeOutputSchema,
  // It runs an arbitrary command: it may change anything the user can, and reach the network.
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  call: (api, input, options) => api.execute(input, options),
  summarize: (job) => {
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
  },
});
