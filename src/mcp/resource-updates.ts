import type { McpServer } from '@modelcontextprotocol/server';

import type { JobEvent } from '../api/contract.js';
import type { JobFeed } from './job-feed.js';
import { JOBS_URI, jobUri, outputUri } from './resource-uris.js';
import type { Subscriptions } from './subscriptions.js';

/** Output growth is reported at most this often per URI. */
export const OUTPUT_UPDATE_EVERY_MS = 1000;

/**
 * Turns job events into `notifications/resources/updated` for the subscribed URIs, and
 * `notifications/resources/list_changed` when a job starts or ends. A change of status (started,
 * ended, ready, restarting) is sent at once — the ended path has no timer on it — while output
 * growth is throttled to once a second per URI, its last growth always reported. A job is
 * reported under its id and, for subscribers who used it, its name.
 */
export function sendResourceUpdates(
  server: McpServer,
  feed: JobFeed,
  subscriptions: Subscriptions,
): { stop: () => void } {
  return forwardResourceUpdates(feed, {
    has: (uri) => subscriptions.has(uri),
    // A client that is gone cannot be told; the connection's close ends the feed anyway.
    updated: (uri) => {
      server.server.sendResourceUpdated({ uri }).catch(() => {});
    },
    listChanged: () => {
      if (server.isConnected()) server.server.sendResourceListChanged().catch(() => {});
    },
  });
}

/** Where resource changes go: one connection's client, or every listen stream of an endpoint. */
export interface ResourceUpdateSink {
  /** Whether anyone wants updates of this URI. */
  has: (uri: string) => boolean;
  updated: (uri: string) => void;
  listChanged: () => void;
}

/** The rules of `sendResourceUpdates`, for any source of job events and any sink. */
export function forwardResourceUpdates(
  feed: { onEvent: (listener: (event: JobEvent) => void) => void },
  sink: ResourceUpdateSink,
): { stop: () => void } {
  const send = (uri: string): void => {
    if (sink.has(uri)) sink.updated(uri);
  };
  const throttle = new Throttle(OUTPUT_UPDATE_EVERY_MS, send);

  feed.onEvent((event) => {
    const refs = event.name === null ? [event.job_id] : [event.job_id, event.name];
    const jobUris = refs.map(jobUri).filter((uri) => sink.has(uri));
    const outputUris = refs.map(outputUri).filter((uri) => sink.has(uri));
    if (event.type === 'output') {
      for (const uri of [...jobUris, ...outputUris]) throttle.soon(uri);
      return;
    }
    for (const uri of jobUris) throttle.now(uri);
    if (event.type === 'ended') for (const uri of outputUris) throttle.now(uri);
    if (event.type === 'started' || event.type === 'ended') {
      send(JOBS_URI);
      sink.listChanged();
    }
    if (event.type === 'ended') throttle.forget([...jobUris, ...outputUris]);
  });
  return { stop: () => throttle.clear() };
}

/** Per-key leading-edge throttle with a trailing call, so the last change is never lost. */
class Throttle {
  private readonly lastAt = new Map<string, number>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly everyMs: number;
  private readonly run: (key: string) => void;

  constructor(everyMs: number, run: (key: string) => void) {
    this.everyMs = everyMs;
    this.run = run;
  }

  /** Runs now if the interval has passed since the last run for `key`, else once it has. */
  soon(key: string): void {
    if (this.pending.has(key)) return;
    const wait = (this.lastAt.get(key) ?? -Infinity) + this.everyMs - Date.now();
    if (wait <= 0) return this.now(key);
    const timer = setTimeout(() => this.now(key), wait);
    timer.unref();
    this.pending.set(key, timer);
  }

  /** Runs now, taking the place of any trailing run. */
  now(key: string): void {
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.lastAt.set(key, Date.now());
    this.run(key);
  }

  forget(keys: readonly string[]): void {
    for (const key of keys) {
      clearTimeout(this.pending.get(key));
      this.pending.delete(key);
      this.lastAt.delete(key);
    }
  }

  clear(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.lastAt.clear();
  }
}
