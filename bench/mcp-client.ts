// A real MCP client for the bench, talking over stdio to `bgjobs mcp` in the bench's home.
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import type { BenchHome } from './home.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** An unconnected client and the transport that spawns `node dist/cli.js mcp` for it. */
export function mcpClient(bench: BenchHome): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: bench.env,
    cwd: bench.home,
    stderr: 'ignore',
  });
  return { client: new Client({ name: 'bgjobs-bench', version: '0.0.0' }), transport };
}
