import { BgError, ErrorCode } from '../errors.js';
import {
  parseInput,
  waitInputSchema,
  type CallOptions,
  type WaitInput,
  type WaitResult,
} from './api.js';
import type { Engine } from './engine.js';
import { isFinal, type JobRecord } from './model.js';

const PROGRESS_EVERY_MS = 1000;

/**
 * Waits until all (or any) of the jobs have ended, or the timeout passes — never longer than
 * 50 s, so no client cuts the call; the caller calls again while `done` is false.
 */
export async function waitForJobs(
  engine: Engine,
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
  const ids = [...new Set(refs.map((ref) => engine.resolve(ref).id))];
  const began = Date.now();
  const current = (): (JobRecord | undefined)[] => ids.map((id) => engine.store.get(id));
  const ended = (): number =>
    current().filter((job) => job === undefined || isFinal(job.status)).length;
  const isDone = (): boolean => (input.mode === 'all' ? ended() === ids.length : ended() > 0);

  if (!isDone() && input.timeout_s > 0 && !signal?.aborted) {
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        clearInterval(ticker);
        engine.supervisor.off('ended', onEnded);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const onEnded = (job: JobRecord): void => {
        if (ids.includes(job.id) && isDone()) finish();
      };
      const timer = setTimeout(finish, input.timeout_s * 1000);
      const ticker = setInterval(() => {
        onProgress?.({
          progress: Math.round((Date.now() - began) / 1000),
          total: input.timeout_s,
          message: `${ended()} of ${ids.length} job(s) ended`,
        });
      }, PROGRESS_EVERY_MS);
      engine.supervisor.on('ended', onEnded);
      signal?.addEventListener('abort', finish);
    });
  }

  return {
    done: isDone(),
    jobs: current().map((job, i) =>
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
          },
    ),
    waited_ms: Date.now() - began,
  };
}
