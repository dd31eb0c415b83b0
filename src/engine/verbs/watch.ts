import { join } from 'node:path';

import type { JobEvent, WatchOptions } from '../../api/contract.js';
import type { JobRecord } from '../model.js';
import type { Engine } from '../engine.js';
import { fileSize } from '../runners/shell/shell-runner.js';

const OUTPUT_EVERY_MS = 250;

/**
 * Reports what happens to jobs until the signal aborts: starts, ends, readiness, restarts as
 * they happen, and output growth of running jobs at most every 250 ms per job.
 */
export function watchJobs(engine: Engine, { signal, onEvent }: WatchOptions): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const { supervisor } = engine;
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
    const onStarted = (job: JobRecord): void =>
      send('started', job, job.pid === null ? null : `pid ${job.pid}`);
    const onEnded = (job: JobRecord): void => send('ended', job, job.reason);
    const onReady = (job: JobRecord): void => send('ready', job, job.readyMatch);
    const onRetrying = (job: JobRecord): void =>
      send('retrying', job, `attempt ${job.attempt} next`);
    const onRestarting = (job: JobRecord): void =>
      send('restarting', job, `run ${job.runs + 1} next`);
    supervisor.on('started', onStarted);
    supervisor.on('ended', onEnded);
    supervisor.on('ready', onReady);
    supervisor.on('restarting', onRestarting);
    supervisor.on('retrying', onRetrying);

    const sizes = new Map<string, number>();
    const poll = setInterval(() => {
      for (const job of engine.store.withStatus(['running'])) {
        const dir = engine.dirOf(job.id);
        const size = fileSize(join(dir, 'stdout')) + fileSize(join(dir, 'stderr'));
        const before = sizes.get(job.id);
        sizes.set(job.id, size);
        if (before !== undefined && size > before) send('output', job, String(size));
      }
    }, OUTPUT_EVERY_MS);

    signal.addEventListener(
      'abort',
      () => {
        clearInterval(poll);
        supervisor.off('started', onStarted);
        supervisor.off('ended', onEnded);
        supervisor.off('ready', onReady);
        supervisor.off('restarting', onRestarting);
        supervisor.off('retrying', onRetrying);
        resolve();
      },
      { once: true },
    );
  });
}
