// Proves, against the built CLI (`node dist/cli.js mcp`) and a real daemon: it serves the bgjobs
// tools over stdio with nothing but protocol on stdout; a job inherits the environment and working
// directory of the MCP server process, not those of the daemon; the server exits by itself when
// the client closes stdin; and the job outlives it, still running, reachable from a new client.
import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { connect } from '../../src/daemon/client.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { API_METHODS } from '../../src/api/contract.js';
import { outputOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { procStat } from '../../src/procfs/proc.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let h: TestHome;
beforeEach(() => {
  h = makeHome();
});
afterEach(async () => {
  await stopDaemon(h.config());
  await h.cleanup();
});

it('serves over stdio, runs jobs in its own context, exits on EOF and leaves the job running', async () => {
  // The daemon starts first, from the home folder and without the marker.
  await startDaemon(h.config(), { env: h.env });
  const serverCwd = join(realpathSync(h.home), 'project');
  mkdirSync(serverCwd);
  const mark = `mcp-${process.pid}-${Date.now()}`;

  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: { ...h.env, BGJOBS_TEST_MARK: mark },
    cwd: serverCwd,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'bgjobs-stdio-test', version: '0.0.0' });
  const protocolErrors: Error[] = [];
  client.onerror = (error) => protocolErrors.push(error);
  await client.connect(transport);
  const serverPid = transport.pid;
  expect(serverPid).toBeTypeOf('number');

  const { tools } = await client.listTools();
  // The API's tools, and the three of background agents.
  expect(tools).toHaveLength(API_METHODS.length + 3);

  const started = await client.callTool({
    name: 'execute',
    arguments: { command: 'echo "$BGJOBS_TEST_MARK"; pwd; sleep 300' },
  });
  expect(started.isError, JSON.stringify(started.content)).toBeFalsy();
  const { job_id } = executeOutputSchema.parse(started.structuredContent);

  let stdout = '';
  await until(
    async () => {
      const read = await client.callTool({ name: 'output', arguments: { job_id, new_only: true } });
      stdout += outputOutputSchema.parse(read.structuredContent).stdout;
      return stdout.split('\n').length > 2;
    },
    10_000,
    'the job to print its marker and cwd',
  );
  expect(stdout.split('\n').slice(0, 2)).toEqual([mark, serverCwd]);

  // Closing the client ends the server's stdin; the server must exit on its own (before the
  // transport resorts to SIGTERM), which its log says.
  await client.close();
  await until(() => procStat(serverPid!) === undefined, 10_000, 'the MCP server to exit');
  expect(stderr).toContain('the client closed stdin');
  expect(stderr).not.toContain('SIGTERM received');
  expect(protocolErrors).toEqual([]);

  // The job outlives the MCP server that started it.
  const api = await connect(h.config(), { autoStart: false });
  try {
    expect((await api.status({ job_id })).status).toBe('running');
    await api.kill({ job_id, grace_s: 1 });
  } finally {
    api.close();
  }
});
