import { BgError, ErrorCode } from '../../api/errors.js';
import { checkRoomForJob } from '../../disk/space.js';
import { isFinal } from '../../api/job.js';
import type { ExecuteResult } from '../../api/start.js';
import { newJobId } from '../admission/ids.js';
import type { PreparedJob } from '../admission/prepare.js';
import { resolveJob, type EngineContext } from '../context.js';
import type { JobRecord } from '../model.js';
import { killJob } from './kill.js';

export type AdmitContext = Pick<
  EngineContext,
  'config' | 'store' | 'folders' | 'transitions' | 'queue' | 'runners' | 'stop'
>;

/** What every kind of job brings besides what `prepare` worked out. */
export type JobKindFields = Pick<JobRecord, 'kind' | 'priority' | 'after' | 'retries' | 'llm'> & {
  remote?: JobRecord['remote'];
};

/**
 * The one way a job enters bgjobs, whatever its kind. A name a live job holds returns that job
 * (or, with REPLACE, stops it first); a full queue is refused; the jobs it comes `after` must
 * exist; a disk too full for it is refused with the numbers. Then the job is admitted queued and started at once if its runner has a free slot.
 * BEFORE_QUEUE runs once the name is settled (a declared port is checked there).
 */
export async function admitJob(
  ctx: AdmitContext,
  prepared: PreparedJob,
  fields: Omit<JobKindFields, 'after'> & { after: readonly string[] },
  options: { replace: boolean; beforeQueue?: () => void },
): Promise<ExecuteResult> {
  let replaced: string | null = null;
  if (prepared.name !== null) {
    const live = liveNamed(ctx, prepared.name);
    if (live && !options.replace) return { ...resultOf(ctx, live), existing: true };
    if (live) {
      await killJob(ctx, { job_id: live.id });
      replaced = live.id;
    }
    // Another request may have taken the name while the old job was stopping.
    const taken = liveNamed(ctx, prepared.name);
    if (taken) {
      throw new BgError(
        ErrorCode.nameTaken,
        `A live job is already named "${prepared.name}" (${taken.id}, ${taken.status}). Use it, kill it, or pick another name.`,
        { data: { job_id: taken.id } },
      );
    }
  }
  options.beforeQueue?.();
  const { maxQueue, maxJobs } = ctx.config;
  if (ctx.store.countByStatus('queued') >= maxQueue) {
    throw new BgError(
      ErrorCode.limitReached,
      `The queue is full (${maxQueue} jobs waiting for one of ${maxJobs} slots). Wait for jobs to finish or kill some, then try again.`,
    );
  }
  const after = [...new Set(fields.after.map((ref) => resolveJob(ctx.store, ref).id))];
  checkRoomForJob(ctx.config.home);
  const { env, ...record } = prepared;
  const job = newJobRecord(ctx, record, { ...fields, after });
  ctx.folders.make(job.id);
  // A remote job's worker gives it its environment (the overrides travel with the job).
  if (job.kind !== 'remote') ctx.folders.writeEnv(job.id, env);
  ctx.transitions.admit(job);
  const started = await ctx.queue.pump(job.id);
  return { ...resultOf(ctx, started ?? ctx.store.get(job.id) ?? job), replaced };
}

/** A new queued job: what the request prepared, and everything else at its starting value. */
export function newJobRecord(
  ctx: Pick<EngineContext, 'config'>,
  prepared: Omit<PreparedJob, 'env'>,
  fields: JobKindFields,
): JobRecord {
  return {
    id: newJobId(),
    ...prepared,
    ...fields,
    status: 'queued',
    createdAt: Date.now(),
    startedAt: null,
    endedAt: null,
    pid: null,
    pidStart: null,
    monitorPid: null,
    monitorStart: null,
    exitCode: null,
    signal: null,
    reason: null,
    stopRequest: null,
    stopDeadline: null,
    maxOutputBytes: ctx.config.maxOutputBytes,
    stdinClosed: false,
    stdoutBytes: 0,
    stderrBytes: 0,
    logsEvicted: false,
    readyState: prepared.ready === null ? null : 'pending',
    readyAt: null,
    readyMatch: null,
    runs: 0,
    unstableRestarts: 0,
    restartDelayMs: 0,
    runStartedAt: null,
    nextRestartAt: null,
    lastExitCode: null,
    lastSignal: null,
    attempt: 1,
    retryAt: null,
    llmResult: null,
    remote: fields.remote ?? null,
  };
}

function resultOf(ctx: Pick<EngineContext, 'queue'>, job: JobRecord): ExecuteResult {
  return {
    job_id: job.id,
    name: job.name,
    status: job.status,
    pid: job.pid,
    queue_position: job.status === 'queued' ? ctx.queue.position(job) : null,
    existing: false,
    replaced: null,
  };
}

function liveNamed(ctx: Pick<EngineContext, 'store'>, name: string): JobRecord | undefined {
  const job = ctx.store.findByName(name);
  return job && !isFinal(job.status) ? job : undefined;
}
