import { BgError, ErrorCode } from '../api/errors.js';
import type { Config } from '../config.js';
import type { JobFolders } from '../job-folder/folders.js';
import type { JobStore } from '../store/store.js';
import { parseJobRef } from './admission/ids.js';
import type { JobEvents } from './events.js';
import type { JobRecord } from './model.js';
import type { Queue, Runners } from './scheduling/queue.js';
import type { StopReason } from './stop.js';
import type { Transitions } from './transitions.js';
import type { ReadPositions } from './verbs/read-positions.js';

/**
 * What the verbs work with. The engine builds it once; each verb declares the part it uses
 * (`Pick<EngineContext, …>`), so a reader sees at a glance what a verb can touch. State lives
 * in the store and the job folders; the runners hold what runs now.
 */
export interface EngineContext {
  readonly config: Config;
  /** Reads of jobs and their non-status fields; status is written by `transitions` only. */
  readonly store: JobStore;
  /** Where each job's files are. */
  readonly folders: JobFolders;
  /** The one stream of job events. */
  readonly events: JobEvents;
  /** The one writer of a job's status. */
  readonly transitions: Transitions;
  readonly queue: Queue;
  readonly runners: Runners;
  /** Whose read positions each caller's `new_only` reads follow. */
  readonly readers: ReadPositions;
  /** Stops a live job of any kind (see stop.ts). */
  stop(
    job: JobRecord,
    reason: StopReason,
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<{ escalated: boolean }>;
}

/** Finds a job by id or name; refuses anything that is neither with a clear message. */
export function resolveJob(store: Pick<JobStore, 'get' | 'findByName'>, ref: string): JobRecord {
  const { id, name } = parseJobRef(ref);
  const job =
    (id !== undefined ? store.get(id) : undefined) ??
    (name !== undefined ? store.findByName(name) : undefined);
  if (!job) {
    throw new BgError(
      ErrorCode.notFound,
      `No job "${ref}". Call \`list\` to see the jobs there are.`,
      {
        data: { job_id: ref },
      },
    );
  }
  return job;
}

/** Like resolveJob, for reading output: a job whose logs were evicted says so. */
export function resolveWithLogs(
  store: Pick<JobStore, 'get' | 'findByName'>,
  ref: string,
): JobRecord {
  const job = resolveJob(store, ref);
  if (job.logsEvicted) {
    throw new BgError(
      ErrorCode.notFound,
      `The output of job ${job.id} was removed to keep the logs under BGJOBS_MAX_TOTAL_OUTPUT; its status is still available.`,
    );
  }
  return job;
}
