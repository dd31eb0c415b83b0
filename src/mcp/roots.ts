import { fileURLToPath } from 'node:url';

import type { McpServer, Root } from '@modelcontextprotocol/server';

import type { Caller } from '../api/caller.js';

/** How long a tool call waits for the client to answer `roots/list` before going on without. */
export const ROOTS_WAIT_MS = 1000;
const MAX_ROOTS = 100;

/**
 * Keeps `caller.roots` equal to the client's roots (as paths), for a client that declares the
 * `roots` capability: asked with `roots/list` once initialised and again on each
 * `notifications/roots/list_changed`. A client without roots (or on the 2026-07-28 era, which has
 * no server-to-client requests) leaves them undefined. `settled()` resolves once the latest
 * answer is in, or after `ROOTS_WAIT_MS`: tool calls wait on it, so a job started right after
 * initialisation already belongs to the client's root.
 */
export function followClientRoots(
  server: McpServer,
  caller: Caller,
  logError: (message: string, error: unknown) => void,
): { settled: () => Promise<void> } {
  let pending: Promise<void> | undefined;
  let generation = 0;

  const refresh = (): void => {
    // Deprecated in the 2026-07-28 revision, still how a 2025-era client tells its capabilities.
    if (server.server.getClientCapabilities()?.roots === undefined) return;
    const mine = ++generation;
    const asked = server.server
      .listRoots()
      .then(({ roots }) => {
        // An older answer arriving after a newer one must not win.
        if (mine === generation) caller.roots = rootPaths(roots);
      })
      .catch((error: unknown) => logError('asking the client for its roots failed', error))
      .finally(() => {
        if (pending === asked) pending = undefined;
      });
    pending = asked;
  };

  const previous = server.server.oninitialized;
  server.server.oninitialized = () => {
    previous?.();
    refresh();
  };
  server.server.setNotificationHandler('notifications/roots/list_changed', refresh);

  return {
    settled: async () => {
      if (pending === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ROOTS_WAIT_MS);
        timer.unref();
      });
      await Promise.race([pending, timeout]);
      clearTimeout(timer);
    },
  };
}

/** Records the client's name (from initialize) as `caller.client` once it is known. */
export function followClientName(server: McpServer, caller: Caller): void {
  const previous = server.server.oninitialized;
  server.server.oninitialized = () => {
    previous?.();
    const name = server.server.getClientVersion()?.name;
    if (name !== undefined && name !== '') caller.client = name.slice(0, 200);
  };
}

/** The local folders among the roots (`file://` URIs), as paths. */
export function rootPaths(roots: readonly Root[]): string[] {
  const paths: string[] = [];
  for (const root of roots) {
    if (!root.uri.startsWith('file://')) continue;
    try {
      paths.push(fileURLToPath(root.uri));
    } catch {
      // A file URI with a host, say: not a folder of this machine.
    }
  }
  return paths.slice(0, MAX_ROOTS);
}
