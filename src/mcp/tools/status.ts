import { statusInputSchema, statusOutputSchema } from '../../jobs/api.js';
import { clip, describeStatus, formatBytes, formatDuration, jobLabel } from '../format.js';
import { defineTool } from '../tool.js';

export const statusTool = defineTool({
  name: 'status',
  title: 'Job status',
  description: [
    "Show one job's full state: status, exit code or signal and the reason, pid, timestamps,",
    'duration, output sizes, whether its stdin is open and whether it is waiting for input. To wait for a job to end, call `wait`',
    'rather than calling this repeatedly.',
  ].join(' '),
  inputSchema: statusInputSchema,
  outputSchema: statusOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.status(input, options),
  summarize: (job) => {
    const lines = [
      `Job ${jobLabel(job)}: ${describeStatus(job)}.`,
      `Command: ${clip(job.command, 200)}`,
    ];
    if (job.status === 'queued' && job.queue_position !== null) {
      lines.push(`Position ${job.queue_position} in the queue.`);
    }
    if (job.duration_ms !== null) {
      lines.push(
        `${job.ended_at === null ? 'Running for' : 'Ran for'} ${formatDuration(job.duration_ms)}.`,
      );
    }
    const stream = (label: string, s: { bytes: number; dropped: number }): string =>
      `${label} ${formatBytes(s.bytes)}${s.dropped > 0 ? ` (oldest ${formatBytes(s.dropped)} dropped)` : ''}`;
    lines.push(`Output: ${stream('stdout', job.stdout)}, ${stream('stderr', job.stderr)}.`);
    if (job.logs_evicted) lines.push('Its logs were evicted to respect the total output cap.');
    if (job.waiting_for_input) {
      lines.push('It is waiting for input on stdin: answer it with interact.');
    } else if (job.status === 'running') {
      lines.push(`stdin is ${job.stdin_open ? 'open' : 'closed'}.`);
    }
    return lines.join('\n');
  },
});
