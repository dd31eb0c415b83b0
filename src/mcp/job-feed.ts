import type { Caller, JobEvent, JobsApi } from '../api/contract.js';

type Listener = (event: JobEvent) => void;

/**
 * One `api.watch` per MCP server, shared by whatever needs job events (resource subscriptions,
 * log messages). It starts on the first `start()` — the first subscription, or the client
 * asking for log messages — not before, since a watch costs a daemon connection; `stop()` (on
 * server close) ends it. Both are idempotent.
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

  /** Calls `listener` with every job event from now on (once the feed is started). */
  onEvent(listener: Listener): void {
    this.listeners.add(listener);
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
  }

  private dispatch(event: JobEvent): void {
    if (this.stopped) return;
    for (const listener of this.listeners) {
      // One failing listener must not starve the others (or end the watch).
      try {
        listener(event);
      } catch (error) {
        this.logError(`handling a job event (${event.type} ${event.job_id}) failed`, error);
      }
    }
  }
}
