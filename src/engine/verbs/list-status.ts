import { parseInput, type CallOptions } from '../../api/contract.js';
import { isFinal } from '../../api/job.js';
import {
  listInputSchema,
  statusInputSchema,
  type ListInput,
  type ListResult,
  type StatusInput,
  type StatusResult,
} from '../../api/listing.js';
import { isWaitingForInput, membersOf } from '../../procfs/job-processes.js';
import { portsOf } from '../../procfs/ports.js';
import { projectOf } from '../admission/project.js';
import { resolveJob, type EngineContext } from '../context.js';
import type { JobRecord } from '../model.js';
import { toStatus, toSummary } from './present.js';

/** `list`: the caller's project's jobs (its git root, or a client root), or all of them. */
export async function listJobs(
  ctx: Pick<EngineContext, 'store'>,
  raw: ListInput,
  options: CallOptions,
): Promise<ListResult> {
  const input = parseInput(listInputSchema, raw);
  const statuses = input.status === undefined ? undefined : [input.status].flat();
  const caller = options.caller;
  // An agent's runs are listed wherever they ran.
  const scoped = !input.all && caller !== undefined && input.agent === undefined;
  const project = scoped ? projectOf(caller.cwd, caller.roots) : null;
  const filter = { statuses, name: input.name, agent: input.agent, limit: input.limit };
  const { jobs, total } = ctx.store.list({ ...filter, project: project ?? undefined });
  // So that "no jobs here" never reads as "no jobs at all".
  const everywhere = project === null ? null : ctx.store.list({ ...filter, limit: 1 }).total;
  return {
    jobs: jobs.map((job) => toSummary(job)),
    total,
    project,
    other_projects: everywhere === null ? null : everywhere - total,
  };
}

/** `status`: one job as it stands, with what only a live look can tell. */
export async function jobStatus(
  ctx: Pick<EngineContext, 'store' | 'folders' | 'queue'>,
  raw: StatusInput,
): Promise<StatusResult> {
  const job = resolveJob(ctx.store, parseInput(statusInputSchema, raw).job_id);
  return presentJob(ctx, job);
}

/** A job's status: its record, and for a live job its sizes, queue place, input wait and ports. */
export function presentJob(
  ctx: Pick<EngineContext, 'store' | 'folders' | 'queue'>,
  job: JobRecord,
): StatusResult {
  const paths = ctx.folders.paths(job.id);
  const live = !isFinal(job.status);
  // One scan of the process table serves both the input wait and the ports.
  const members = job.status === 'running' ? membersOf(job) : [];
  return toStatus(job, {
    stdoutBytes: live ? ctx.folders.sizeOf(paths.stdout) : job.stdoutBytes,
    stderrBytes: live ? ctx.folders.sizeOf(paths.stderr) : job.stderrBytes,
    queuePosition: job.status === 'queued' ? ctx.queue.position(job) : null,
    waitingForInput: job.status === 'running' && isWaitingForInput(job, paths.stdin, members),
    // A remote job's processes are on its worker's host, which reports their ports.
    ports: job.remote === null ? portsOf(members) : live ? (job.remote.ports ?? []) : [],
    now: Date.now(),
    agentRun: ctx.store.agentRunOf(job.id),
  });
}
