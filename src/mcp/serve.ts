import type { ClientCapabilities, Transport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import type { JobsApi } from '../api/contract.js';
import { observeListens } from './observe-listens.js';
import { createServer, type CreateServerOptions } from './server.js';
import { Subscriptions } from './subscriptions.js';

/**
 * Serves bgjobs over one long-lived connection (stdin/stdout, or a test's in-memory pair) with
 * `serveStdio`, which picks the protocol era from the client's opening message. The connection's
 * subscriptions are shared with the server, so a 2026-07-28-era `subscriptions/listen` — which
 * `serveStdio` answers itself — still tells the server which jobs to watch; so are the
 * capabilities that era's requests declare (the server's own record is of `initialize` only).
 *
 * @example
 * const handle = serveConnection(api, { caller, version: VERSION }, new StdioServerTransport());
 * await handle.close();
 */
export function serveConnection(
  api: JobsApi,
  options: CreateServerOptions,
  transport: Transport,
  onerror?: (error: Error) => void,
): { close: () => Promise<void> } {
  const subscriptions = new Subscriptions();
  let declared: ClientCapabilities | undefined;
  const declaredCapabilities = () => declared;
  return serveStdio(() => createServer(api, { ...options, subscriptions, declaredCapabilities }), {
    transport: observeListens(transport, subscriptions, (capabilities) => {
      declared = capabilities;
    }),
    ...(onerror !== undefined && { onerror }),
  });
}
