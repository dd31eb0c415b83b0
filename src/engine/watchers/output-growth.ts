import type { EventEmitter } from 'node:events';

import type { JobFolders } from '../../job-folder/folders.js';
import type { JobStore } from '../../store/store.js';
import { WorkLoop } from '../../work-loop.js';
import type { JobEvents } from '../events.js';

const EVERY_MS = 250;

/**
 * Reports the output growth of running jobs on the event stream, at most every 250 ms per
 * job, while anyone listens for it (a `watch`) and some job runs; nothing is read otherwise.
 */
export class OutputGrowth {
  private readonly sizes = new Map<string, number>();
  private readonly loop: WorkLoop;

  constructor(store: JobStore, folders: JobFolders, events: JobEvents) {
    const poll = (): boolean => {
      if (events.listenerCount('output-grew') === 0) {
        this.sizes.clear();
        return false;
      }
      const running = store.withStatus(['running']);
      const seen = new Set<string>();
      for (const job of running) {
        seen.add(job.id);
        const size = folders.outputSize(job.id);
        const before = this.sizes.get(job.id);
        this.sizes.set(job.id, size);
        if (before !== undefined && size > before) events.emit('output-grew', job, size);
      }
      for (const id of this.sizes.keys()) if (!seen.has(id)) this.sizes.delete(id);
      return running.length > 0;
    };
    this.loop = new WorkLoop({ everyMs: EVERY_MS, round: poll, ref: false });
    // Someone starts listening, or a job starts (or is re-adopted) while someone listens.
    events.on('started', () => this.loop.wake());
    // The typed emitter does not list EventEmitter's own events.
    (events as EventEmitter).on('newListener', (name: string) => {
      if (name === 'output-grew') this.loop.wake();
    });
  }

  close(): Promise<void> {
    return this.loop.stop();
  }
}
