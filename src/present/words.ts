import type { JobStatus } from '../api/job.js';

/**
 * The words bgjobs uses for sizes, durations, exits and statuses, the same in the CLI, in MCP
 * summaries and in the reasons the engine records.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`. */
export function formatDuration(ms: number): string {
  if (ms < SECOND) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)}s`;
  if (ms < HOUR) return pair(ms, MINUTE, 'm', SECOND, 's');
  if (ms < DAY) return pair(ms, HOUR, 'h', MINUTE, 'm');
  return pair(ms, DAY, 'd', HOUR, 'h');
}

function pair(ms: number, big: number, bigUnit: string, small: number, smallUnit: string): string {
  const whole = Math.floor(ms / big);
  const rest = Math.floor((ms % big) / small);
  return `${whole}${bigUnit}${String(rest).padStart(2, '0')}${smallUnit}`;
}

/** `512 B`, `1.5 KB`, `12 KB`, `3.4 GB` (binary units, as the settings use). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** How a process ended, in words: `exited with code 3`, `killed by SIGTERM`. */
export function exitWords(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return exitCode === null ? 'an unknown exit status' : `exited with code ${exitCode}`;
}

/** The same in a word or two, for a table's column: `exit 3`, `SIGTERM`, `-`. */
export function exitLabel(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return signal;
  return exitCode === null ? '-' : `exit ${exitCode}`;
}

/** `k3f9x2qa` or `k3f9x2qa ("dev-server")`. */
export function jobLabel(job: { job_id: string; name?: string | null }): string {
  return job.name ? `${job.job_id} ("${job.name}")` : job.job_id;
}

/**
 * A status with how it came about, said once: `failed (exited with code 2)`, `running (pid
 * 123)`, `completed (exited with code 0)`; a reason that already names the status stands alone:
 * `timed out (killed by SIGTERM)`, `killed on request (killed by SIGTERM)`.
 */
export function describeStatus(job: {
  status: JobStatus;
  pid?: number | null;
  exit_code?: number | null;
  signal?: string | null;
  reason?: string | null;
}): string {
  if (job.status === 'running') return job.pid ? `running (pid ${job.pid})` : 'running';
  if (job.status === 'queued') return 'queued';
  const how =
    job.reason ??
    (job.signal != null || job.exit_code != null
      ? exitWords(job.exit_code ?? null, job.signal ?? null)
      : null);
  if (how === null) return job.status;
  return how.startsWith(job.status.replace('_', ' ')) ? how : `${job.status} (${how})`;
}

/** One line, at most MAX characters: newlines shown as `⏎`, the end cut with `…`. */
export function clip(text: string, max = 80): string {
  const line = text.replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return line.length <= max ? line : `${line.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * The CLI's command for each API verb. Messages name a verb once, in backticks and by its API
 * (and MCP tool) name; each surface adapts only that name, with `forSurface`.
 */
const CLI_VERBS: Readonly<Record<string, string>> = {
  execute: 'run',
  list: 'ls',
  status: 'status',
  output: 'logs',
  tail: 'tail',
  search: 'search',
  interact: 'send',
  kill: 'kill',
  wait: 'wait',
  remove: 'rm',
  prompt: 'prompt',
  agent_start: 'agent start',
  agent_list: 'agents',
  agent_stop: 'agent stop',
  agent_pause: 'agent pause',
  agent_resume: 'agent resume',
  agent_run: 'agent run',
  up: 'up',
  down: 'down',
};

/**
 * A message as a surface says it: unchanged for MCP (its tools bear the API's names); for the
 * CLI, each backticked verb becomes the command a person types.
 *
 * @example
 * forSurface('No job "x". Call `list` to see the jobs there are.', 'cli');
 * // 'No job "x". Call `bgjobs ls` to see the jobs there are.'
 */
export function forSurface(message: string, surface: 'cli' | 'mcp'): string {
  if (surface === 'mcp') return message;
  return message.replace(/`([a-z_]+)`/g, (whole: string, verb: string) => {
    const command = CLI_VERBS[verb];
    return command === undefined ? whole : `\`bgjobs ${command}\``;
  });
}
