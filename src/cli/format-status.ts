import type { StatusResult } from '../api/listing.js';
import {
  formatAge,
  formatBytes,
  formatColumns,
  formatDuration,
  formatExit,
  oneLine,
  shortPath,
} from './format.js';

/** The `status` view for people: one `key  value` line per field they would look for. */

function formatTime(iso: string | null, now: number): string {
  return iso === null ? '-' : `${iso} (${formatAge(iso, now)})`;
}

function formatStream(stats: StatusResult['stdout']): string {
  const dropped = stats.dropped > 0 ? `, oldest ${formatBytes(stats.dropped)} dropped` : '';
  return `${formatBytes(stats.bytes)}${dropped}`;
}

/** `ready after 1.2s: Listening on :8000`, `pending`, `failed: Error: EADDRINUSE`. */
function formatReady(job: StatusResult): string | null {
  const match = job.ready_match === null ? '' : `: ${oneLine(job.ready_match)}`;
  switch (job.ready_state) {
    case null:
      return null;
    case 'pending':
      return 'pending (not ready yet)';
    case 'failed':
      return `failed${match}`;
    case 'ready': {
      const after =
        job.time_to_ready_ms === null ? '' : ` after ${formatDuration(job.time_to_ready_ms)}`;
      return `ready${after}${match}`;
    }
  }
}

/** `2, last exit 3`: shown for services, which may have run more than once. */
function formatRuns(job: StatusResult): string | null {
  if (job.runs <= 1 && job.restart_policy === 'no') return null;
  return job.last_exit === null
    ? String(job.runs)
    : `${job.runs}, last ${formatExit(job.last_exit)}`;
}

function formatRestart(job: StatusResult, now: number): string | null {
  if (job.restart_policy === 'no') return null;
  const next = job.next_restart_at === null ? '' : `, next ${formatAge(job.next_restart_at, now)}`;
  return `${job.restart_policy}${next}`;
}

function formatStdin(job: StatusResult): string {
  if (!job.stdin_open) return 'closed';
  return job.waiting_for_input ? 'open, waiting for input' : 'open';
}

export function formatStatus(job: StatusResult, now = Date.now()): string {
  const envPairs = Object.entries(job.env).map(([key, value]) => `${key}=${value}`);
  const fields: [string, string | null][] = [
    ['job', job.name === null ? job.job_id : `${job.job_id} (${job.name})`],
    ['status', job.reason === null ? job.status : `${job.status}: ${job.reason}`],
    ['ready', formatReady(job)],
    ['queue', job.queue_position === null ? null : `position ${job.queue_position}`],
    ['command', job.command],
    ['project', job.project === null ? null : shortPath(job.project, Infinity)],
    ['cwd', job.cwd],
    ['env', envPairs.length === 0 ? null : envPairs.join(' ')],
    ['pid', job.pid === null ? null : String(job.pid)],
    ['ports', job.ports.length === 0 ? null : job.ports.join(', ')],
    ['pty', job.pty === null ? null : `${job.pty.cols}x${job.pty.rows}`],
    ['exit', job.exit_code === null ? null : String(job.exit_code)],
    ['signal', job.signal],
    ['runs', formatRuns(job)],
    ['restart', formatRestart(job, now)],
    ['created', formatTime(job.created_at, now)],
    ['started', formatTime(job.started_at, now)],
    ['ended', job.ended_at === null ? null : formatTime(job.ended_at, now)],
    ['duration', job.duration_ms === null ? null : formatDuration(job.duration_ms)],
    ['timeout', job.timeout_s === null ? null : `${job.timeout_s}s`],
    ['lifetime', job.lifetime === 'session' ? 'session: stops when its MCP session ends' : null],
    ['stdin', formatStdin(job)],
    ['stdout', formatStream(job.stdout)],
    ['stderr', formatStream(job.stderr)],
    ['logs', job.logs_evicted ? 'evicted to respect the total output cap' : null],
  ];
  const shown = fields.filter((field): field is [string, string] => field[1] !== null);
  return formatColumns(shown);
}
