import { statusInputSchema, statusOutputSchema, type StatusResult } from '../../api/listing.js';
import {
  clip,
  describeStatus,
  formatBytes,
  formatDuration,
  jobLabel,
} from '../../present/words.js';
import { defineTool } from '../tool.js';
import { exitWords } from '../../present/words.js';

export const statusTool = defineTool({
  name: 'status',
  title: 'Job status',
  description: [
    'One job in full: outcome, timings, output sizes, readiness, ports, restarts, env,',
    'usage.',
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
    lines.push(...serviceLines(job));
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

/** Readiness, ports, restarts, terminal and lifetime: only the lines that apply to this job. */
function serviceLines(job: StatusResult): string[] {
  const lines: string[] = [];
  const match = job.ready_match === null ? '' : ` (matched "${clip(job.ready_match, 120)}")`;
  if (job.ready_state === 'ready') {
    const after =
      job.time_to_ready_ms === null ? '' : ` after ${formatDuration(job.time_to_ready_ms)}`;
    lines.push(`Ready${after}${match}.`);
  } else if (job.ready_state === 'failed') {
    lines.push(`Readiness failed${match}.`);
  } else if (job.ready_state === 'pending') {
    lines.push('Not ready yet: wait with until:"ready".');
  }
  if (job.ports.length > 0) {
    lines.push(`Listening on port${job.ports.length > 1 ? 's' : ''} ${job.ports.join(', ')}.`);
  }
  if (job.runs > 1 || job.restart_policy !== 'no') {
    const last =
      job.last_exit === null
        ? ''
        : `; the last run ${exitWords(job.last_exit.exit_code, job.last_exit.signal)}`;
    const next = job.next_restart_at === null ? '' : `; restarting at ${job.next_restart_at}`;
    lines.push(`Run ${job.runs} (restart ${job.restart_policy})${last}${next}.`);
  }
  if (job.pty !== null) {
    lines.push(
      `In a ${job.pty.cols}×${job.pty.rows} terminal: tail shows its screen, interact takes keys.`,
    );
  }
  if (job.lifetime === 'session')
    lines.push('Lifetime session: stopped when its MCP session ends.');
  return lines;
}
