/** Every status a job can have, free of zod (its schema is in job.ts). A final status never changes. */
export const JobStatus = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  killed: 'killed',
  timedOut: 'timed_out',
  lost: 'lost',
} as const;

export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const JOB_STATUSES = Object.values(JobStatus) as [JobStatus, ...JobStatus[]];

export const LIVE_STATUSES: readonly JobStatus[] = [JobStatus.queued, JobStatus.running];

export function isFinal(status: JobStatus): boolean {
  return !LIVE_STATUSES.includes(status);
}
