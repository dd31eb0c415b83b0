import type { JobStatus } from '../api/job.js';
import type { Trigger } from '../api/listing.js';
import type { JobRecord } from '../engine/model.js';

export interface ListFilter {
  statuses?: readonly JobStatus[];
  name?: string;
  /** Only jobs started in this project. */
  project?: string;
  /** Only the runs of this agent. */
  agent?: string;
  limit: number;
}

/** What a listing shows of a job. */
export const LISTED_JOB_FIELDS = [
  'id',
  'name',
  'project',
  'kind',
  'status',
  'command',
  'cwd',
  'pid',
  'exitCode',
  'signal',
  'createdAt',
  'startedAt',
  'endedAt',
  'remote',
] as const satisfies readonly (keyof JobRecord)[];
export type ListedField = (typeof LISTED_JOB_FIELDS)[number];
export type ListedJob = Pick<JobRecord, ListedField>;

/** What the queue needs to pick the next job to start; the whole record is read only for it. */
export type QueuedJob = Pick<JobRecord, 'id' | 'kind' | 'after'>;

/** The fields that say how a job stands; only the transitions module writes them. */
export type StatusField = 'status' | 'exitCode' | 'signal' | 'reason' | 'endedAt' | 'startedAt';

/** A change to a job's record that leaves its status alone. */
export type RecordPatch = Partial<Omit<JobRecord, 'id' | StatusField>>;

/** A change of a job's status, with whatever else that move records. */
export type StatusPatch = RecordPatch &
  Pick<JobRecord, 'status'> &
  Partial<Pick<JobRecord, StatusField>>;

/**
 * Where jobs live. The daemon is its one writer; everything else asks the daemon. Kept small
 * so the SQLite binding behind it (better-sqlite3 today) can be swapped for `node:sqlite`.
 */
export interface JobStore {
  /** Adds a new job. Called by the transitions module only (admission). */
  insert(job: JobRecord): void;
  /** Changes what a job's record says besides its status. */
  update(id: string, patch: RecordPatch): void;
  /** Moves a job to another status. Called by the transitions module only. */
  writeStatus(id: string, patch: StatusPatch): void;
  get(id: string): JobRecord | undefined;
  /** The live job with this name, else the newest finished one. */
  findByName(name: string): JobRecord | undefined;
  list(filter: ListFilter): { jobs: ListedJob[]; total: number };
  /** Jobs in these statuses, oldest first (for reconciling and the queue). */
  withStatus(statuses: readonly JobStatus[]): JobRecord[];
  /** Queued jobs due to start (a retry waits for its time), highest priority, then oldest, first. */
  queued(now: number, limit: number): QueuedJob[];
  countByStatus(status: JobStatus): number;
  /** Ids of finished jobs that ended before `endedBefore`, oldest first. */
  finishedBefore(endedBefore: number, limit: number): string[];
  /** Ids of finished jobs whose logs are still on disk, oldest first. */
  finishedWithLogs(): string[];
  delete(id: string): void;
  /** The agent a job is a run of, and what started it. */
  agentRunOf(jobId: string): { agent: string; trigger: Trigger } | undefined;
  getCursor(jobId: string, reader: string, stream: string): number | undefined;
  /** Remembers where READER stopped; skipped when the disk is full (the next read repeats). */
  setCursor(jobId: string, reader: string, stream: string, offset: number): void;
  close(): void;
}
