import { type McpServer, ResourceNotFoundError } from '@modelcontextprotocol/server';

import { parseUri } from './resource-uris.js';

interface Interest {
  uris: ReadonlySet<string>;
  listChanged: boolean;
}

// The 2025-era `resources/subscribe` requests share one source; each 2026-era
// `subscriptions/listen` request is a source of its own, ended by its cancellation.
const RESOURCES_SUBSCRIBE = 'resources/subscribe';

/**
 * The resources one connection's client has subscribed to, however it subscribed: with
 * `resources/subscribe` (2025 era, answered by the server) or `subscriptions/listen` (2026 era,
 * answered by the serving entry and reported here by `observeListens`).
 */
export class Subscriptions {
  private readonly sources = new Map<string, Interest>();
  private readonly addedListeners = new Set<() => void>();

  /** Calls `listener` each time the client subscribes to something. */
  onAdded(listener: () => void): void {
    this.addedListeners.add(listener);
  }

  /** Whether the client wants `notifications/resources/updated` for this exact URI. */
  has(uri: string): boolean {
    for (const interest of this.sources.values()) if (interest.uris.has(uri)) return true;
    return false;
  }

  get active(): boolean {
    return this.sources.size > 0;
  }

  subscribe(uri: string): void {
    const uris = new Set(this.sources.get(RESOURCES_SUBSCRIBE)?.uris);
    uris.add(uri);
    this.set(RESOURCES_SUBSCRIBE, { uris, listChanged: false });
  }

  unsubscribe(uri: string): void {
    const uris = new Set(this.sources.get(RESOURCES_SUBSCRIBE)?.uris);
    uris.delete(uri);
    if (uris.size === 0) this.sources.delete(RESOURCES_SUBSCRIBE);
    else this.sources.set(RESOURCES_SUBSCRIBE, { uris, listChanged: false });
  }

  openListen(id: string | number, interest: { uris: readonly string[]; listChanged: boolean }) {
    this.set(`listen:${id}`, { uris: new Set(interest.uris), listChanged: interest.listChanged });
  }

  closeListen(id: string | number): void {
    this.sources.delete(`listen:${id}`);
  }

  clear(): void {
    this.sources.clear();
  }

  private set(source: string, interest: Interest): void {
    if (interest.uris.size === 0 && !interest.listChanged) return;
    this.sources.set(source, interest);
    for (const listener of this.addedListeners) listener();
  }
}

/**
 * Answers the 2025-era `resources/subscribe` and `resources/unsubscribe` requests. Only bgjobs
 * URIs can be subscribed to; a job that does not exist yet may be (a name, say).
 */
export function acceptResourceSubscriptions(server: McpServer, subscriptions: Subscriptions) {
  server.server.setRequestHandler('resources/subscribe', (request) => {
    const { uri } = request.params;
    if (parseUri(uri) === undefined) throw new ResourceNotFoundError(uri);
    subscriptions.subscribe(uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    subscriptions.unsubscribe(request.params.uri);
    return {};
  });
}
