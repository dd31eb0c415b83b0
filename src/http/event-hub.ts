import type { Caller } from '../api/caller.js';
import type { JobEvent, JobsApi } from '../api/contract.js';

type Listener = (event: JobEvent) => void;

/**
 * The HTTP server's one follower of the engine's event stream: a single `api.watch`, fanned out
 * to every dashboard stream and to the MCP endpoints' listen streams. Listeners come and go
 * with their connections (`on` returns the way to leave); the watch runs from `start()` to
 * `stop()`, both idempotent.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly api: JobsApi;
  private readonly caller: Caller;
  private readonly logError: (message: string, error: unknown) => void;
  private controller: AbortController | undefined;
  private watching: Promise<void> | undefined;

  constructor(api: JobsApi, caller: Caller, logError: (message: string, error: unknown) => void) {
    this.api = api;
    this.caller = caller;
    this.logError = logError;
  }

  /** How many listeners are attached (connections that follow events). */
  get size(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with every job event until the returned function is called. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The shape `forwardResourceUpdates` takes: a listener for the hub's lifetime. */
  onEvent(listener: Listener): void {
    this.listeners.add(listener);
  }

  start(): void {
    if (this.controller !== undefined) return;
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
    this.controller?.abort();
    await this.watching;
    this.listeners.clear();
  }

  private dispatch(event: JobEvent): void {
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
