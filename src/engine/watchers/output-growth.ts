import type { EventEmitter } from 'node:events';

import type { JobFolders } from '../../job-folder/folders.js';
import type { JobStore } from '../../store/store.js';
import type { JobEvents } from '../events.js';

const EVERY_MS = 250;

/**
 * Reports the output growth of running jobs on the event stream, at most every 250 ms per
 * job, while anyone listens for it (a `watch`); nothing is read while no one does.
 */
export class OutputGrowth {
  private readonly sizes = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(store: JobStore, folders: JobFolders, events: JobEvents) {
    const poll = (): void => {
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
    };
    // The typed emitter does not list EventEmitter's own events.
    const emitter = events as EventEmitter;
    emitter.on('newListener', (name: string) => {
      if (name !== 'output-grew' || this.timer) return;
      this.timer = setInterval(poll, EVERY_MS);
      this.timer.unref();
    });
    emitter.on('removeListener', (name: string) => {
      if (name !== 'output-grew' || events.listenerCount('output-grew') > 0) return;
      this.close();
    });
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sizes.clear();
  }
}
