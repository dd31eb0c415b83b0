// A real MCP client over stdio, against the built CLI (`node dist/cli.js mcp`) in a test's home.
import { resolve } from 'node:path';

import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import type { TestHome } from './home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export interface StdioMcp {
  client: Client;
  /** The MCP server's process id. */
  pid: number;
  /** What the server has written to stderr so far. */
  stderr: () => string;
  call: (
    name: string,
    args?: Record<string, unknown>,
    timeoutMs?: number,
  ) => Promise<CallToolResult>;
  close: () => Promise<void>;
}

/** Starts `bgjobs mcp` with the home's environment (plus `env`) and connects a client to it. */
export async function openStdioMcp(
  h: TestHome,
  env: Record<string, string> = {},
): Promise<StdioMcp> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: { ...h.env, ...env },
    cwd: h.home,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'bgjobs-stdio-test', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    pid: transport.pid!,
    stderr: () => stderr,
    call: (name, args = {}, timeoutMs = 30_000) =>
      client.callTool({ name, arguments: args }, { timeout: timeoutMs }),
    close: () => client.close(),
  };
}
