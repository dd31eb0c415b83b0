import type { Caller } from '../api/caller.js';
import type { JobEvent, JobsApi } from '../api/contract.js';

type Listener = (event: JobEvent) => void;

/**
 * One `api.watch`, fanned out to whatever needs job events: an MCP server's resource
 * subscriptions and log messages, or the HTTP server's dashboard and listen streams. It starts
 * on the first `start()` — not before, since a watch costs a daemon connection — and `stop()`
 * ends it for good. Both are idempotent.
 */
export class JobFeed {
  private readonly listeners = new Set<Listener>();
  private controller: AbortController | undefined;
  private watching: Promise<void> | undefined;
  private stopped = false;
  private readonly api: JobsApi;
  private readonly caller: Caller;
  private readonly logError: (message: string, error: unknown) => void;

  constructor(api: JobsApi, caller: Caller, logError: (message: string, error: unknown) => void) {
    this.api = api;
    this.caller = caller;
    this.logError = logError;
  }

  /** How many listeners are attached. */
  get size(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with every job event from now on (once the feed is started). */
  onEvent(listener: Listener): void {
    this.listeners.add(listener);
  }

  /** Like onEvent, for a listener that leaves: call the returned function to detach it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.controller !== undefined || this.stopped) return;
    const controller = new AbortController();
    this.controller = controller;
    this.watching = this.api
      .watch({
        signal: controller.signal,
        onEvent: (event) => this.dispatch(event),
        caller: this.caller,
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) this.logError('watching job events failed', error);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.watching;
    this.listeners.clear();
  }

  private dispatch(event: JobEvent): void {
    if (this.stopped) return;
    // A copy: a listener may detach itself (or another) while the event is handed out.
    for (const listener of [...this.listeners]) {
      // One failing listener must not starve the others (or end the watch).
      try {
        listener(event);
      } catch (error) {
        this.logError(`handling a job event (${event.type} ${event.job_id}) failed`, error);
      }
    }
  }
}
