import { BgError, ErrorCode } from '../../api/errors.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { waitInputSchema, type WaitInput, type WaitResult } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import { compileSearchRegex } from '../../logs/regex.js';
import { isWaitingForInput } from '../../procfs/job-processes.js';
import type { JobRecord } from '../model.js';
import { resolveJob, type EngineContext } from '../context.js';
import { digestJob } from './digest.js';

const PROGRESS_EVERY_MS = 1000;
// The event stream has no input events: `until: "input"` looks in /proc this often.
const INPUT_POLL_MS = 50;

type Fired = WaitResult['fired'];
type Until = 'exit' | 'ready' | 'input';

/** What, if anything, ends the wait for one job, from its record (input waits are looked for apart). */
export function firedFor(job: JobRecord | undefined, until: Until): Fired | null {
  if (job === undefined || isFinal(job.status)) return 'exited';
  if (job.readyState === 'failed') return 'failed_pattern';
  if (until === 'ready' && job.status === 'running') {
    if (job.readyState === 'ready' || job.readyState === null) return 'ready';
  }
  return null;
}

/**
 * Waits until all (or any) of the jobs have ended — or, with `until: "ready"`, are ready, or with
 * `until: "input"`, wait for input — or a
 * failure pattern fired, or the timeout passed. Never longer than 50 s, so no client cuts the
 * call; the caller calls again while `done` is false.
 */
export async function waitForJobs(
  ctx: Pick<EngineContext, 'store' | 'events' | 'folders'>,
  raw: WaitInput,
  { signal, onProgress }: CallOptions,
): Promise<WaitResult> {
  const input = parseInput(waitInputSchema, raw);
  const refs = [...(input.job_id === undefined ? [] : [input.job_id]), ...(input.job_ids ?? [])];
  if (refs.length === 0) {
    throw new BgError(
      ErrorCode.invalidInput,
      'Pass job_id, or job_ids with one or more jobs to wait for.',
    );
  }
  // A bad pattern is refused before the wait, not after it.
  if (input.search !== undefined) compileSearchRegex(input.search);
  const ids = [...new Set(refs.map((ref) => resolveJob(ctx.store, ref).id))];
  if (input.until === 'ready') assertReadyConditions(ids.map((id) => ctx.store.get(id)));
  const began = Date.now();
  const current = (): (JobRecord | undefined)[] => ids.map((id) => ctx.store.get(id));
  const waitsForInput = (job: JobRecord | undefined): boolean =>
    job !== undefined &&
    job.kind !== 'llm' &&
    job.status === 'running' &&
    isWaitingForInput(job, ctx.folders.paths(job.id).stdin);
  // What fires for a job now; with until "input", a job once seen waiting stays fired.
  const check = (id: string, before: Fired | null = null): Fired | null => {
    const job = ctx.store.get(id);
    const fired = firedFor(job, input.until);
    if (fired !== null || input.until !== 'input') return fired;
    return before === 'input' || waitsForInput(job) ? 'input' : null;
  };
  // What fired for each job, kept up to date one job at a time as events arrive.
  const firedById = new Map(ids.map((id) => [id, check(id)]));
  const fired = (): (Fired | null)[] => ids.map((id) => firedById.get(id) ?? null);
  const settled = (): number => fired().filter((f) => f !== null).length;
  // The first job that fired, in the order they fired: what `any` reports.
  const order: string[] = [];
  const isDone = (): boolean => (input.mode === 'all' ? settled() === ids.length : settled() > 0);

  if (!isDone() && input.timeout_s > 0 && !signal?.aborted) {
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        clearInterval(ticker);
        clearInterval(inputPoll);
        ctx.events.off('ended', onChange);
        ctx.events.off('ready', onChange);
        ctx.events.off('started', onChange);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const onChange = (job: Pick<JobRecord, 'id'>): void => {
        if (!firedById.has(job.id)) return;
        const before = firedById.get(job.id) ?? null;
        const now = check(job.id, before);
        if (now !== null && before === null) order.push(job.id);
        firedById.set(job.id, now);
        if (isDone()) finish();
      };
      const inputPoll =
        input.until === 'input'
          ? setInterval(() => {
              for (const id of ids) if (firedById.get(id) === null) onChange({ id });
            }, INPUT_POLL_MS)
          : undefined;
      const timer = setTimeout(finish, input.timeout_s * 1000);
      const ticker = setInterval(() => {
        onProgress?.({
          progress: Math.round((Date.now() - began) / 1000),
          total: input.timeout_s,
          message: `${settled()} of ${ids.length} job(s) done`,
        });
      }, PROGRESS_EVERY_MS);
      ctx.events.on('ended', onChange);
      ctx.events.on('ready', onChange);
      ctx.events.on('started', onChange);
      signal?.addEventListener('abort', finish);
    });
  }

  // The answer comes from fresh records, whatever the events said.
  const jobs = current();
  for (const id of ids) firedById.set(id, check(id, firedById.get(id) ?? null));
  const firedNow = fired();
  const ask = { tailLines: input.tail_lines, search: input.search };
  const outputs = await Promise.all(
    jobs.map((job, i) =>
      job === undefined || firedNow[i] == null ? Promise.resolve(null) : digestJob(ctx, job, ask),
    ),
  );
  return {
    done: isDone(),
    fired: overall(ids, firedNow, order, input.mode, isDone()),
    jobs: jobs.map((job, i) => {
      const base =
        job === undefined
          ? {
              job_id: ids[i] ?? '',
              name: null,
              status: 'lost' as const,
              exit_code: null,
              signal: null,
              reason: 'removed while waiting',
            }
          : {
              job_id: job.id,
              name: job.name,
              status: job.status,
              exit_code: job.exitCode,
              signal: job.signal,
              reason: job.reason,
            };
      // Assigned, not spread: see toStatus in present.ts.
      return Object.assign(base, {
        ready: job?.readyState == null ? null : job.readyState === 'ready',
        fired: firedNow[i] ?? null,
        match: job?.readyMatch ?? null,
        output: outputs[i] ?? null,
      });
    }),
    waited_ms: Date.now() - began,
  };
}

/** `until: "ready"` on a live job with no readiness condition would answer at once: say so. */
function assertReadyConditions(jobs: (JobRecord | undefined)[]): void {
  const without = jobs.filter(
    (job): job is JobRecord => job !== undefined && !isFinal(job.status) && job.ready === null,
  );
  if (without.length === 0) return;
  const which = without.map((job) => job.name ?? job.id).join(', ');
  throw new BgError(
    ErrorCode.invalidInput,
    `${without.length === 1 ? 'Job' : 'Jobs'} ${which} ${without.length === 1 ? 'has' : 'have'} no readiness condition, so until:"ready" would answer at once. Start it with ready ({pattern, port or url}), or wait until:"exit".`,
  );
}

function overall(
  ids: string[],
  fired: (Fired | null)[],
  order: string[],
  mode: 'all' | 'any',
  done: boolean,
): Fired {
  if (!done) return 'timeout';
  if (mode === 'any') {
    const first = order.find((id) => fired[ids.indexOf(id)] !== null);
    return (
      fired[first === undefined ? fired.findIndex((f) => f !== null) : ids.indexOf(first)] ??
      'exited'
    );
  }
  if (fired.includes('failed_pattern')) return 'failed_pattern';
  if (fired.every((f) => f === 'ready')) return 'ready';
  return fired.every((f) => f === 'input') ? 'input' : 'exited';
}
