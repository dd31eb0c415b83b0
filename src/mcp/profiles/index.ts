import { McpServer } from '@modelcontextprotocol/server';

import type { Caller } from '../../api/caller.js';
import type { JobsApi } from '../../api/contract.js';
import type { ToolDeps } from '../tool.js';
import { backgroundAgent } from './background-agent.js';
import { backgroundCommandExecutor } from './background-command-executor.js';
import { mcpBackgroundJob } from './mcp-background-job.js';
import type { ProfileName } from './names.js';
import type { Profile } from './profile-tool.js';

const PROFILES: Record<ProfileName, Profile> = {
  'background-command-executor': backgroundCommandExecutor,
  'mcp-background-job': mcpBackgroundJob,
  'background-agent': backgroundAgent,
};

export interface ProfileServerOptions {
  caller: Caller;
  version: string;
  logError?: ToolDeps['logError'];
}

/**
 * Builds an MCP server that serves exactly one profile's tools — another server's names,
 * arguments and results — over any `JobsApi`. `createServer` calls it when given a profile.
 *
 * @example
 * const server = createProfileServer('mcp-background-job', engine, { caller, version: '0.1.0' });
 */
export function createProfileServer(
  name: ProfileName,
  api: JobsApi,
  options: ProfileServerOptions,
): McpServer {
  const profile = PROFILES[name];
  profile.checkSettings?.(options.caller.env);
  const server = new McpServer(
    {
      name: profile.serverName,
      title: `bgjobs as ${profile.serverName}`,
      version: options.version,
    },
    { capabilities: { tools: { listChanged: false } } },
  );
  const deps: ToolDeps = {
    api,
    caller: options.caller,
    logError:
      options.logError ??
      ((message, error) => console.error(`bgjobs mcp (${name}): ${message}:`, error)),
  };
  for (const tool of profile.tools) tool.register(server, deps);
  return server;
}
