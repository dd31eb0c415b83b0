import { homedir } from 'node:os';

import { clip, describeStatus, exitLabel, formatDuration } from '../present/words.js';

import type { KillResult, WaitResult } from '../api/control.js';
import type { JobSummary } from '../api/listing.js';
import type { SearchMatch, StreamRead } from '../api/read.js';

/** Pure formatting for people: relative times, durations, sizes, aligned tables. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `just now`, `5s ago`, `3m ago`, `2h ago`, `4d ago`; a time to come is `in 5s`. */
export function formatAge(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (ms <= -SECOND) return `in ${formatDuration(-ms)}`;
  if (ms < SECOND) return 'just now';
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s ago`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m ago`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}h ago`;
  return `${Math.floor(ms / DAY)}d ago`;
}

/** Columns padded to their widest cell; the last column is never padded. */
export function formatColumns(rows: string[][]): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, col) =>
    Math.max(...rows.map((row) => (row[col] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatTable(headers: string[], rows: string[][]): string {
  return formatColumns([headers, ...rows]);
}

function runTime(job: JobSummary, now: number): string {
  if (job.started_at === null) return '-';
  const end = job.ended_at === null ? now : Date.parse(job.ended_at);
  return formatDuration(end - Date.parse(job.started_at));
}

/** A folder for people: the home folder as `~`, a long path cut to its last two folders. */
export function shortPath(path: string, max = 40): string {
  // As homedir() finds it, without loading node:os when HOME says it (scripts/bundle-cli.mjs).
  const home = process.env.HOME || homedir();
  const short = path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
  if (short.length <= max) return short;
  return `…/${short.split('/').slice(-2).join('/')}`;
}

export interface JobTableOptions {
  /** Cut each line to this many characters. */
  width?: number;
  /** Add a PROJECT column (jobs of every project are listed). */
  project?: boolean;
  now?: number;
}

/** The `ls` table. The command column is cut to fit `width` when one is given. */
export function formatJobTable(jobs: JobSummary[], options: JobTableOptions = {}): string {
  const { width, project = false, now = Date.now() } = options;
  const headers = ['ID', 'NAME', 'STATUS', 'EXIT', 'CREATED', 'RAN'];
  if (project) headers.push('PROJECT');
  headers.push('COMMAND');
  const rows = jobs.map((job) => [
    job.job_id,
    job.name ?? '-',
    job.status,
    exitLabel(job.exit_code, job.signal),
    formatAge(job.created_at, now),
    runTime(job, now),
    ...(project ? [job.project === null ? '-' : shortPath(job.project)] : []),
    job.command,
  ]);
  const table = formatTable(
    headers,
    rows.map((row) => row.map((cell) => clip(cell))),
  );
  if (width === undefined) return table;
  // Cut each line rather than the command alone: the columns before it are already aligned.
  return table
    .split('\n')
    .map((line) => clip(line, width))
    .join('\n');
}

/**
 * One line per job a `wait` reported: id, name, and where it stands, said once: `k3f9x2qa  web
 * running, ready: Listening on :8000`, `w7we9dug  -  timed out (killed by SIGTERM)`.
 */
export function formatWaitJobs(jobs: WaitResult['jobs']): string {
  return formatColumns(jobs.map((job) => [job.job_id, job.name ?? '-', waitState(job)]));
}

function waitState(job: WaitResult['jobs'][number]): string {
  const match = job.match === null ? '' : `: ${clip(job.match)}`;
  switch (job.fired) {
    case 'ready':
      return `${job.status}, ready${match}`;
    case 'failed_pattern':
      return `${job.status}, failed to come up${match}`;
    case 'input':
      return `${job.status}, waits for input`;
    default:
      return describeStatus(job);
  }
}

/** What `kill` did: its message, then the pids it ended (escapees apart) and the ports it freed. */
export function formatKill(result: KillResult): string {
  const lines = [result.message];
  if (result.killed_pids.length > 0) lines.push(`killed pids: ${result.killed_pids.join(' ')}`);
  if (result.escaped_pids.length > 0) lines.push(`escapees: ${result.escaped_pids.join(' ')}`);
  if (result.freed_ports.length > 0) lines.push(`freed ports: ${result.freed_ports.join(' ')}`);
  return lines.join('\n');
}

/** grep-style matches: `stdout:12: text`, context lines with `-`, groups split by `--`. */
export function formatMatches(matches: SearchMatch[]): string {
  return matches
    .map((match) => {
      const before = match.before.map(
        (text, i) => `${match.stream}-${match.line - match.before.length + i}- ${text}`,
      );
      const after = match.after.map((text, i) => `${match.stream}-${match.line + 1 + i}- ${text}`);
      return [...before, `${match.stream}:${match.line}: ${match.text}`, ...after].join('\n');
    })
    .join('\n--\n');
}

/** The hint printed when a single `logs` page did not reach the end of a stream. */
export function moreHint(stream: 'stdout' | 'stderr', read: StreamRead | null): string | null {
  if (read === null || !read.more) return null;
  return `more ${stream} after byte ${read.next_offset} of ${read.size}; continue with --stream ${stream} --offset ${read.next_offset}`;
}

/** Text ending in a newline (or empty), so a shell prompt never lands mid-line. */
export function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
