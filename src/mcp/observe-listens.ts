import type {
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

/**
 * On the 2026-07-28 era, `serveStdio` answers `subscriptions/listen` itself and forwards to the
 * client only the change notifications a listen asked for: the server never sees the request.
 * This wraps the connection's transport to note what each listen asks for (and when it is
 * cancelled) in `subscriptions`, so the server knows which jobs to watch. Everything else
 * passes through untouched.
 *
 * @example
 * serveStdio(factory, { transport: observeListens(new StdioServerTransport(), subscriptions) });
 */
export function observeListens(inner: Transport, subscriptions: Subscriptions): Transport {
  return new ListenObservingTransport(inner, subscriptions);
}

class ListenObservingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private readonly inner: Transport;
  private readonly subscriptions: Subscriptions;

  constructor(inner: Transport, subscriptions: Subscriptions) {
    this.inner = inner;
    this.subscriptions = subscriptions;
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
