// Raw MCP over HTTP as a 2025-era client speaks it: POSTs with the bearer token, a session
// opened by initialize, tool calls by hand.
import { expect } from 'vitest';

import { send, type Reply } from './client.js';
import type { HttpHarness } from './harness.js';

/** The headers every MCP POST carries besides the token. */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** POSTs BODY to PATH (`/mcp`) with the token and MCP's headers; HEADERS add or override. */
export function postMcp(
  h: HttpHarness,
  body: string,
  headers: Record<string, string> = {},
  path = '/mcp',
): Promise<Reply> {
  return send(
    h.url,
    'POST',
    path,
    { authorization: `Bearer ${h.token}`, ...MCP_HEADERS, ...headers },
    body,
  );
}

/** Opens a session (initialize, then initialized); its headers for the calls that follow. */
export async function openSession(h: HttpHarness, path = '/mcp'): Promise<Record<string, string>> {
  const init = await postMcp(h, initializeBody('raw'), {}, path);
  expect(init.status).toBe(200);
  const session = {
    'mcp-session-id': String(init.headers['mcp-session-id']),
    'mcp-protocol-version': '2025-06-18',
  };
  const done = await postMcp(
    h,
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    session,
    path,
  );
  expect(done.status).toBe(202);
  return session;
}

/** An `initialize` request of a 2025-06-18 client named NAME. */
export function initializeBody(name: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name, version: '0' },
    },
  });
}

/** A `tools/call` request, with `_meta` when META is given. */
export function toolCall(id: number, name: string, args: object, meta?: object): string {
  const params = { name, arguments: args, ...(meta !== undefined && { _meta: meta }) };
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params });
}
