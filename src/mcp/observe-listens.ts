import type {
  ClientCapabilities,
  JSONRPCMessage,
  MessageExtraInfo,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

import type { Subscriptions } from './subscriptions.js';

const listenParamsSchema = z.object({
  notifications: z.object({
    resourceSubscriptions: z.array(z.string()).optional(),
    resourcesListChanged: z.boolean().optional(),
  }),
});
const cancelledParamsSchema = z.object({ requestId: z.union([z.string(), z.number()]) });
// A 2026-07-28 request carries the client's capabilities in its `_meta`, not in `initialize`.
const CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
const envelopeSchema = z.object({
  _meta: z.object({ [CAPABILITIES_KEY]: z.record(z.string(), z.unknown()) }),
});

/**
 * On the 2026-07-28 era, `serveStdio` answers `subscriptions/listen` itself and forwards to the
 * client only the change notifications a listen asked for: the server never sees the request.
 * This wraps the connection's transport to note what each listen asks for (and when it is
 * cancelled) in `subscriptions`, so the server knows which jobs to watch, and to report the
 * capabilities a request declares to `onCapabilities`. Everything passes through untouched.
 *
 * @example
 * serveStdio(factory, { transport: observeListens(new StdioServerTransport(), subscriptions) });
 */
export function observeListens(
  inner: Transport,
  subscriptions: Subscriptions,
  onCapabilities?: (capabilities: ClientCapabilities) => void,
): Transport {
  return new ListenObservingTransport(inner, subscriptions, onCapabilities);
}

class ListenObservingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private readonly inner: Transport;
  private readonly subscriptions: Subscriptions;
  private readonly onCapabilities: ((capabilities: ClientCapabilities) => void) | undefined;

  constructor(
    inner: Transport,
    subscriptions: Subscriptions,
    onCapabilities?: (capabilities: ClientCapabilities) => void,
  ) {
    this.inner = inner;
    this.subscriptions = subscriptions;
    this.onCapabilities = onCapabilities;
    inner.onmessage = (message, extra) => {
      this.observe(message);
      this.onmessage?.(message, extra);
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      subscriptions.clear();
      this.onclose?.();
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion = (version: string): void => this.inner.setProtocolVersion?.(version);

  setSupportedProtocolVersions = (versions: string[]): void =>
    this.inner.setSupportedProtocolVersions?.(versions);

  private observe(message: JSONRPCMessage): void {
    if (!('method' in message)) return;
    if (this.onCapabilities !== undefined && 'id' in message) {
      const envelope = envelopeSchema.safeParse(message.params);
      if (envelope.success) this.onCapabilities(envelope.data._meta[CAPABILITIES_KEY]);
    }
    if (message.method === 'subscriptions/listen' && 'id' in message) {
      const params = listenParamsSchema.safeParse(message.params);
      if (!params.success) return;
      const { resourceSubscriptions = [], resourcesListChanged = false } =
        params.data.notifications;
      this.subscriptions.openListen(message.id, {
        uris: resourceSubscriptions,
        listChanged: resourcesListChanged,
      });
    } else if (message.method === 'notifications/cancelled') {
      const params = cancelledParamsSchema.safeParse(message.params);
      if (params.success) this.subscriptions.closeListen(params.data.requestId);
    }
  }
}
