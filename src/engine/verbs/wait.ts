import { BgError, ErrorCode } from '../../api/errors.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { waitInputSchema, type WaitInput, type WaitResult } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import type { JobRecord } from '../model.js';
import { resolveJob, type EngineContext } from '../context.js';

const PROGRESS_EVERY_MS = 1000;

type Fired = WaitResult['fired'];

/** What, if anything, ends the wait for one job. */
export function firedFor(job: JobRecord | undefined, until: 'exit' | 'ready'): Fired | null {
  if (job === undefined || isFinal(job.status)) return 'exited';
  if (job.readyState === 'failed') return 'failed_pattern';
  if (until === 'ready' && job.status === 'running') {
    if (job.readyState === 'ready' || job.readyState === null) return 'ready';
  }
  return null;
}

/**
 * Waits until all (or any) of the jobs have ended — or, with `until: "ready"`, are ready — or a
 * failure pattern fired, or the timeout passed. Never longer than 50 s, so no client cuts the
 * call; the caller calls again while `done` is false.
 */
export async function waitForJobs(
  ctx: Pick<EngineContext, 'store' | 'events'>,
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
  const ids = [...new Set(refs.map((ref) => resolveJob(ctx.store, ref).id))];
  const began = Date.now();
  const current = (): (JobRecord | undefined)[] => ids.map((id) => ctx.store.get(id));
  // What fired for each job, kept up to date one job at a time as events arrive.
  const firedById = new Map(ids.map((id) => [id, firedFor(ctx.store.get(id), input.until)]));
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
        ctx.events.off('ended', onChange);
        ctx.events.off('ready', onChange);
        ctx.events.off('started', onChange);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const onChange = (job: JobRecord): void => {
        if (!firedById.has(job.id)) return;
        const now = firedFor(ctx.store.get(job.id), input.until);
        if (now !== null && firedById.get(job.id) === null) order.push(job.id);
        firedById.set(job.id, now);
        if (isDone()) finish();
      };
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
  jobs.forEach((job, i) => firedById.set(ids[i] ?? '', firedFor(job, input.until)));
  const firedNow = fired();
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
      return {
        ...base,
        ready: job?.readyState == null ? null : job.readyState === 'ready',
        fired: firedNow[i] ?? null,
        match: job?.readyMatch ?? null,
      };
    }),
    waited_ms: Date.now() - began,
  };
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
  return fired.every((f) => f === 'ready') ? 'ready' : 'exited';
}
