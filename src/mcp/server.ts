import { McpServer } from '@modelcontextprotocol/server';

import type { Caller, JobsApi } from '../jobs/api.js';
import { createProfileServer } from './profiles/index.js';
import type { ProfileName } from './profiles/names.js';
import type { Tool, ToolDeps } from './tool.js';
import { executeTool } from './tools/execute.js';
import { interactTool } from './tools/interact.js';
import { killTool } from './tools/kill.js';
import { listTool } from './tools/list.js';
import { outputTool } from './tools/output.js';
import { removeTool } from './tools/remove.js';
import { searchTool } from './tools/search.js';
import { statusTool } from './tools/status.js';
import { tailTool } from './tools/tail.js';
import { waitTool } from './tools/wait.js';

export const TOOLS: readonly Tool[] = [
  executeTool,
  listTool,
  statusTool,
  outputTool,
  tailTool,
  interactTool,
  killTool,
  waitTool,
  searchTool,
  removeTool,
];

export const INSTRUCTIONS = [
  'bgjobs runs shell commands as background jobs that outlive this chat.',
  '`execute` returns a job_id at once: start the work and keep working.',
  'To wait for a job, call `wait` (it blocks up to 50 s) instead of polling `status`.',
  'Read only what is new with `output` and new_only:true, or the last lines with `tail`.',
  'Answer prompts with `interact`. Stop what you started with `kill` when you are done with it.',
].join(' ');

export interface CreateServerOptions {
  /** Who calls through this server: its jobs inherit this environment and working directory. */
  caller: Caller;
  version: string;
  /** Where unexpected failures are reported; stderr by default (stdout is the protocol). */
  logError?: ToolDeps['logError'];
  /** Serve this drop-in profile's tools (another server's, exactly) instead of bgjobs' own. */
  profile?: ProfileName | undefined;
}

/**
 * Builds the bgjobs MCP server over any `JobsApi` (the in-process engine or the daemon client),
 * for stdio, HTTP and tests alike.
 *
 * @example
 * const server = createServer(engine, { caller: { cwd: process.cwd(), env: {} }, version: '0.1.0' });
 * await server.connect(transport);
 */
export function createServer(api: JobsApi, options: CreateServerOptions): McpServer {
  if (options.profile !== undefined) return createProfileServer(options.profile, api, options);
  const server = new McpServer(
    { name: 'bgjobs', title: 'bgjobs: durable background jobs', version: options.version },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  const deps: ToolDeps = {
    api,
    caller: options.caller,
    logError:
      options.logError ?? ((message, error) => console.error(`bgjobs mcp: ${message}:`, error)),
  };
  for (const tool of TOOLS) tool.register(server, deps);
  return server;
}
