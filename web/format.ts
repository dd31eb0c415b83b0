// How the dashboard shows times, durations and outcomes.

export function duration(fromIso: string | null, toIso: string | null, now: number): string {
  if (fromIso === null) return '';
  const ms = (toIso === null ? now : Date.parse(toIso)) - Date.parse(fromIso);
  if (ms < 1000) return `${Math.max(0, ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
}

export function when(iso: string | null): string {
  return iso === null ? '—' : new Date(iso).toLocaleString();
}

export function exitOf(job: { exit_code: number | null; signal: string | null }): string {
  if (job.signal !== null) return job.signal;
  return job.exit_code === null ? '' : String(job.exit_code);
}
