import type { JobStatus } from '../api/job.js';

/** Small text helpers for the summaries a model reads next to `structuredContent`. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'] as const;
  let value = bytes / 1024;
  let unit: (typeof units)[number] = 'KB';
  for (const next of units.slice(1)) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalS = Math.round(s);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${totalS % 60} s`;
  return `${Math.floor(totalS / 3600)} h ${Math.floor((totalS % 3600) / 60)} min`;
}

/** `k3f9x2qa` or `k3f9x2qa ("dev-server")`. */
export function jobLabel(job: { job_id: string; name?: string | null }): string {
  return job.name ? `${job.job_id} ("${job.name}")` : job.job_id;
}

/** A status with how it came about: `failed (exited with code 2)`, `running (pid 123)`. */
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
    (job.signal
      ? `killed by ${job.signal}`
      : job.exit_code != null
        ? `exit code ${job.exit_code}`
        : null);
  return how ? `${job.status} (${how})` : job.status;
}

/** Shortens one line of text for a listing. */
export function clip(text: string, max = 80): string {
  const line = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** A labelled block of job output, or a note that the stream had nothing to show. */
export function outputBlock(label: string, text: string, emptyNote: string): string {
  if (text === '') return `--- ${label}: ${emptyNote} ---`;
  return `--- ${label} ---\n${text.endsWith('\n') ? text.slice(0, -1) : text}`;
}
