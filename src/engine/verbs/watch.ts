import type { JobEvent, WatchOptions } from '../../api/contract.js';
import type { EngineContext } from '../context.js';
import type { JobEventMap } from '../events.js';
import type { JobRecord } from '../model.js';

type Listeners = { [K in keyof JobEventMap]?: (...args: JobEventMap[K]) => void };

/**
 * `watch`: reports what happens to jobs until the signal aborts — starts, ends, readiness,
 * restarts and retries as they happen, and output growth of running jobs at most every 250 ms
 * per job — from the engine's one event stream.
 */
export function watchJobs(
  ctx: Pick<EngineContext, 'events'>,
  { signal, onEvent }: WatchOptions,
): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const send = (type: JobEvent['type'], job: JobRecord, detail: string | null): void => {
      try {
        onEvent({
          type,
          job_id: job.id,
          name: job.name,
          project: job.project,
          command: job.command.length > 200 ? `${job.command.slice(0, 200)}…` : job.command,
          status: job.status,
          detail,
          at: new Date().toISOString(),
        });
      } catch (error) {
        process.emitWarning(`bgjobs: a job event listener failed: ${String(error)}`);
      }
    };
    const listeners: Listeners = {
      started: (job) => send('started', job, job.pid === null ? null : `pid ${job.pid}`),
      ended: (job) => send('ended', job, job.reason),
      ready: (job) => send('ready', job, job.readyMatch),
      'run-ended': (job) => send('restarting', job, `run ${job.runs + 1} next`),
      retried: (job) => send('retrying', job, `attempt ${job.attempt} next`),
      'output-grew': (job, bytes) => send('output', job, String(bytes)),
    };
    const each = (act: 'on' | 'off'): void => {
      for (const [name, listener] of Object.entries(listeners)) {
        ctx.events[act](name as keyof JobEventMap, listener);
      }
    };
    each('on');
    signal.addEventListener(
      'abort',
      () => {
        each('off');
        resolve();
      },
      { once: true },
    );
  });
}
