import { EventEmitter } from 'node:events';

import type { JobRecord } from './model.js';

/** Where a run's output starts in each stream: what readiness reads from. */
export interface RunStart {
  stdout: number;
  stderr: number;
}

/**
 * Everything that happens to a job, as the engine reports it. Only the transitions module
 * emits the status events; the output watcher emits `output-grew`.
 */
export interface JobEventMap {
  /** A new job was admitted, queued. */
  admitted: [job: JobRecord];
  /** A run started (its processes are known), or a job was re-adopted after a restart. */
  started: [job: JobRecord, run: RunStart | undefined];
  /** Its readiness condition was met, or its failure pattern matched. */
  ready: [job: JobRecord];
  /** A service's run ended and its next run is scheduled. */
  'run-ended': [job: JobRecord];
  /** It failed with retries left and was queued again, keeping its id. */
  retried: [job: JobRecord];
  /** It reached a final status. */
  ended: [job: JobRecord];
  /** Its output grew; BYTES is both streams together. */
  'output-grew': [job: JobRecord, bytes: number];
}

export type JobEventName = keyof JobEventMap;

/**
 * The one stream every reader of job changes follows: wait, watch, readiness, timeouts, the
 * output cap, housekeeping, MCP resources and the daemon all subscribe here.
 */
export class JobEvents extends EventEmitter<JobEventMap> {
  constructor() {
    super();
    // Every waiting `wait` and watcher listens here: many at once is normal, not a leak.
    this.setMaxListeners(0);
  }
}
