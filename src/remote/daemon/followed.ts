import { setTimeout as delay } from 'node:timers/promises';

import { BgError, ErrorCode } from '../../api/errors.js';
import type { ControlMessage } from '../wire.js';
import type { OutputMirror } from './mirror.js';

/** Input for a run not yet started waits this long for its worker to start it. */
const START_WAIT_MS = 30_000;

/** One run the daemon follows. */
export interface Followed {
  run: string;
  jobId: string;
  label: string;
  mirror: OutputMirror;
  worker: { name: string; host: string } | null;
  /** A kill asked for; sent again when the start is announced (it may have raced it). */
  kill: ControlMessage | null;
  /** Its worker said it started: from now on it takes input. */
  announced: boolean;
  ended: boolean;
  endWaiters: (() => void)[];
}

type Started = Followed & { worker: { name: string; host: string } };

/** Resolves once the run ended, or after TIMEOUT_MS. */
export function waitForEnd(entry: Followed, timeoutMs: number): Promise<void> {
  if (entry.ended) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    entry.endWaiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The run once its worker announced its start, waiting for that at most START_WAIT_MS. */
export async function waitForStart(
  jobId: string,
  find: () => Followed | undefined,
): Promise<Started> {
  const deadline = Date.now() + START_WAIT_MS;
  for (;;) {
    const entry = find();
    if (entry?.announced && entry.worker) return entry as Started;
    if (!entry || entry.ended || Date.now() >= deadline) {
      throw new BgError(
        ErrorCode.notRunning,
        `Job ${jobId} has not started on a worker (yet), so it takes no input. Check its status: it waits for a worker with its label.`,
      );
    }
    await delay(20);
  }
}
