import type { JobSummary } from '../api/listing.js';
import { clip, exitLabel, formatDuration } from '../present/words.js';
import { formatTable } from './format.js';

/** One frame of `bgjobs top`: a table of jobs with what a person glances at. Pure. */

export interface TopRow {
  job: JobSummary;
  /** TCP ports its processes listen on (running jobs only). */
  ports: number[];
  /** The last line it printed, if any. */
  lastLine: string;
}

export interface FrameOptions {
  /** Cut each line to this many characters. */
  width?: number;
  now?: number;
  /** Where the frame's jobs come from, said in its first line. */
  scope: string;
}

function ranFor(job: JobSummary, now: number): string {
  if (job.started_at === null) return '-';
  const end = job.ended_at === null ? now : Date.parse(job.ended_at);
  return formatDuration(end - Date.parse(job.started_at));
}

function state(job: JobSummary): string {
  if (job.status === 'running' || job.status === 'queued') return job.status;
  const how = exitLabel(job.exit_code, job.signal);
  return how === '-' ? job.status : `${job.status} ${how}`;
}

/**
 * The frame: a title line, then ID, NAME, STATUS, RAN, PORTS, COMMAND and LAST OUTPUT, newest
 * first, each line cut to `width`.
 *
 * @example
 * formatTopFrame([{ job, ports: [8000], lastLine: 'Listening' }], { scope: 'this project', width: 100 });
 */
export function formatTopFrame(rows: TopRow[], options: FrameOptions): string {
  const now = options.now ?? Date.now();
  const running = rows.filter((row) => row.job.status === 'running').length;
  const title = `bgjobs top: ${rows.length} jobs of ${options.scope}, ${running} running (q or Ctrl-C to quit)`;
  const headers = ['ID', 'NAME', 'STATUS', 'RAN', 'PORTS', 'COMMAND', 'LAST OUTPUT'];
  const cells = rows.map(({ job, ports, lastLine }) => [
    job.job_id,
    job.name ?? '-',
    state(job),
    ranFor(job, now),
    ports.length === 0 ? '-' : ports.map((port) => `:${port}`).join(' '),
    clip(job.command, 32),
    clip(lastLine, 200),
  ]);
  const table = rows.length === 0 ? 'no jobs yet' : formatTable(headers, cells);
  const lines = [title, ...table.split('\n')];
  const { width } = options;
  return lines.map((line) => (width === undefined ? line : clip(line, width))).join('\n');
}
