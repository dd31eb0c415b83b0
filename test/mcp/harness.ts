import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import {
  Client,
  type CallToolResult,
  type ClientCapabilities,
  type NotificationMethod,
} from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import type { z } from 'zod';

import type { Caller } from '../../src/api/caller.js';
import { Engine } from '../../src/engine/engine.js';
import type { ProfileName } from '../../src/mcp/profiles/names.js';
import { serveConnection } from '../../src/mcp/serve.js';
import { makeHome } from '../helpers/home.js';

/**
 * A real MCP client talking to the real bgjobs MCP server over the real in-process engine, in a
 * fresh BGJOBS_HOME. The server is served by `serveStdio` (as `bgjobs mcp` serves it) over an
 * in-memory transport pair, so the era negotiation of the stdio entry is exercised too: a
 * `legacy` client opens with `initialize` (2025 era), a `modern` one pins revision 2026-07-28.
 */
export type Era = 'legacy' | 'modern';
export const ERAS: readonly Era[] = ['legacy', 'modern'];

export interface Harness {
  client: Client;
  engine: Engine;
  /** The temp BGJOBS_HOME; also the jobs' working directory. */
  home: string;
  call(
    name: string,
    args?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallToolResult>;
  /** Calls a tool that must succeed; returns its text and its structuredContent, parsed strictly. */
  ok<S extends z.ZodObject>(
    name: string,
    args: Record<string, unknown>,
    schema: S,
    options?: CallOptions,
  ): Promise<{ text: string; data: z.output<S> }>;
  /** Calls a tool that must fail as a tool result (`isError`); returns its text. */
  fails(name: string, args: Record<string, unknown>): Promise<string>;
  /**
   * Every notification of this method the client receives from now on, with when it arrived
   * (`performance.now()`), in order.
   */
  record(method: NotificationMethod): Received[];
  /** Changes the client's roots (it must have been opened with `roots`) and tells the server. */
  setRoots(paths: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface Received {
  params: Record<string, unknown>;
  at: number;
}

type CallOptions = Parameters<Client['callTool']>[1];

export interface HarnessOptions {
  /** Serve this drop-in profile's tools instead of bgjobs' own. */
  profile?: ProfileName;
  /** Settings (BGJOBS_* variables) for the engine, like BGJOBS_MAX_JOBS. */
  settings?: Record<string, string>;
  /** Overrides of the caller context the server passes with each call. */
  caller?: Partial<Caller>;
  /** The client declares the `roots` capability and answers `roots/list` with these folders. */
  roots?: readonly string[];
  /** A slow client: it answers `roots/list` only after this long. */
  rootsDelayMs?: number;
  /** The server publishes its tools' output schemas (BGJOBS_MCP_OUTPUT_SCHEMAS). */
  outputSchemas?: boolean;
  /** More capabilities the client declares (an extension, say). */
  capabilities?: ClientCapabilities;
}

export async function openHarness(
  era: Era = 'legacy',
  options: HarnessOptions = {},
): Promise<Harness> {
  const home = makeHome(options.settings);
  const engine = await Engine.open(home.config());
  // The jobs carry BGJOBS_HOME in their environment, so the cleanup finds any stray process.
  const caller: Caller = { cwd: home.home, env: home.env, reader: 'mcp-test', ...options.caller };
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const { profile, outputSchemas } = options;
  const handle = serveConnection(
    engine,
    { caller, version: '0.0.0-test', profile, outputSchemas },
    serverTransport,
  );
  const client = new Client(
    { name: 'bgjobs-test', version: '0.0.0' },
    {
      ...(era === 'modern' && { versionNegotiation: { mode: { pin: '2026-07-28' } } }),
      capabilities: {
        ...options.capabilities,
        ...(options.roots !== undefined && { roots: { listChanged: true } }),
      },
    },
  );
  let roots = options.roots ?? [];
  if (options.roots !== undefined) {
    client.setRequestHandler('roots/list', async () => {
      if (options.rootsDelayMs !== undefined) await delay(options.rootsDelayMs);
      return { roots: roots.map((path) => ({ uri: pathToFileURL(path).href, name: path })) };
    });
  }
  await client.connect(clientTransport);

  const call: Harness['call'] = (name, args = {}, options) =>
    client.callTool({ name, arguments: args }, options);

  return {
    client,
    engine,
    home: home.home,
    call,
    async ok(name, args, schema, options) {
      const result = await call(name, args, options);
      const text = textOf(result);
      expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
      // strict(): structuredContent is exactly the advertised output schema, nothing more.
      const data = schema.strict().parse(result.structuredContent) as z.output<typeof schema>;
      return { text, data };
    },
    async fails(name, args) {
      const result = await call(name, args);
      expect(result.isError, `${name} should have failed`).toBe(true);
      expect(result.structuredContent).toBeUndefined();
      return textOf(result);
    },
    record(method) {
      const received: Received[] = [];
      client.setNotificationHandler(method, (notification) => {
        const params = (notification.params ?? {}) as Record<string, unknown>;
        received.push({ params, at: performance.now() });
      });
      return received;
    },
    async setRoots(paths) {
      roots = paths;
      await client.sendRootsListChanged();
    },
    async close() {
      try {
        // Nothing outlives a test: stop every job still live, through the API.
        const live = await engine.list({ status: ['queued', 'running'], limit: 1000 });
        for (const job of live.jobs) {
          await engine.kill({ job_id: job.job_id, signal: 'SIGKILL', grace_s: 0 });
        }
        await client.close();
        await handle.close();
      } finally {
        await engine.close();
        await home.cleanup();
      }
    },
  };
}

/** The text of a tool result (its text content blocks, joined). */
export function textOf(result: CallToolResult): string {
  return result.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}
