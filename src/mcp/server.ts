import { McpServer } from '@modelcontextprotocol/server';

import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import { mcpOutputSchemas, workersConfigured } from '../config.js';
import { registerAgentResources, sendAgentUpdates } from './agent-resources.js';
import { AGENT_TOOLS } from './agent-tools.js';
import { createProfileServer } from './profiles/index.js';
import type { ProfileName } from './profiles/names.js';
import { JobFeed } from './job-feed.js';
import { type DeclaredCapabilities, JOB_VIEW_TOOLS, offerJobView } from './job-view.js';
import { sendJobLogs } from './job-logging.js';
import { sendResourceUpdates } from './resource-updates.js';
import { registerResources } from './resources.js';
import { registerWorkerResources } from './worker-resources.js';
import { followClientName, followClientRoots } from './roots.js';
import { mcpSessionOwner } from './session.js';
import { acceptResourceSubscriptions, Subscriptions } from './subscriptions.js';
import type { Tool, ToolDeps } from './tool.js';
import { executeTool } from './tools/execute.js';
import { promptTool } from './tools/prompt.js';
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
  promptTool,
  listTool,
  statusTool,
  outputTool,
  tailTool,
  interactTool,
  killTool,
  waitTool,
  searchTool,
  removeTool,
  ...AGENT_TOOLS,
];

export const INSTRUCTIONS = [
  'bgjobs runs shell commands as background jobs that outlive this chat.',
  'A short command: one `execute` with wait_s (exit code and last lines come back; `search`',
  'adds the lines that matter, e.g. "FAIL"). Else `execute` returns a job_id at once: keep',
  'working, then `wait` (up to 50 s a call) instead of polling, or subscribe to bgjobs://jobs/{id}.',
  'A server: `ready` plus wait_until:"ready"; its `name` returns the running one (`replace`',
  'restarts it); `restart` keeps it up. Several jobs: `jobs` in one execute.',
  'Read what is new with `output` new_only:true. Answer prompts with `interact`. `list`: this',
  "project's jobs (all:true: every project).",
  'Stop what you started with `kill` when you are done with it (or use lifetime:"session").',
  '`agent_start`: work that starts itself on changes or a schedule.',
].join(' ');

export interface CreateServerOptions {
  /**
   * Who calls through this server: its jobs inherit this environment and working directory. The
   * server keeps its own copy, filling in `roots` from the client and, when missing, `session`
   * with this process's MCP session.
   */
  caller: Caller;
  version: string;
  /** Where unexpected failures are reported; stderr by default (stdout is the protocol). */
  logError?: ToolDeps['logError'];
  /** Serve this drop-in profile's tools (another server's, exactly) instead of bgjobs' own. */
  profile?: ProfileName | undefined;
  /**
   * The connection's resource subscriptions, when its transport reports the 2026-07-28 era's
   * `subscriptions/listen` (see `serveConnection`); the server keeps its own otherwise.
   */
  subscriptions?: Subscriptions;
  /** Publish the tools' output schemas; default BGJOBS_MCP_OUTPUT_SCHEMAS in the caller's env. */
  outputSchemas?: boolean;
  /**
   * A server of one client over its own connection (stdio): tell the engine which client it
   * serves, so that `new_only` read positions outlive a restart of this server.
   */
  readsFollowClient?: boolean;
  /**
   * What the client declares on a 2026-07-28 connection the SDK does not record (stdio, where
   * each request carries it); `initialize`'s declaration, where there was one, comes first.
   */
  declaredCapabilities?: DeclaredCapabilities;
}

/**
 * Builds the bgjobs MCP server over any `JobsApi` (the in-process engine or the daemon client),
 * for stdio, HTTP and tests alike: the tools (linking the job view for MCP Apps clients), the
 * `bgjobs://jobs` resources with subscriptions
 * and completions, log messages for job starts and ends, and the client's roots as the caller's.
 *
 * @example
 * const server = createServer(engine, { caller: { cwd: process.cwd(), env: {} }, version: '0.1.0' });
 * await server.connect(transport);
 */
export function createServer(api: JobsApi, options: CreateServerOptions): McpServer {
  if (options.profile !== undefined) return createProfileServer(options.profile, api, options);
  const server = new McpServer(
    { name: 'bgjobs', title: 'bgjobs: durable background jobs', version: options.version },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: true },
        completions: {},
        logging: {},
      },
      instructions: INSTRUCTIONS,
    },
  );
  const logError =
    options.logError ?? ((message, error) => console.error(`bgjobs mcp: ${message}:`, error));
  // This server's own caller: `roots` changes as the client reports them, for every call after.
  const caller: Caller = { ...options.caller, owner: options.caller.owner ?? mcpSessionOwner() };
  const roots = followClientRoots(server, caller, logError);
  if (options.readsFollowClient) followClientName(server, caller);
  const deps: ToolDeps = {
    api,
    caller,
    logError,
    callerReady: roots.settled,
    outputSchemas: options.outputSchemas ?? mcpOutputSchemas(options.caller.env),
    workers: workersConfigured(options.caller.env),
  };
  const registered = new Map(TOOLS.map((tool) => [tool.name, tool.register(server, deps)]));
  offerJobView(
    server,
    JOB_VIEW_TOOLS.flatMap((name) => registered.get(name) ?? []),
    () => server.server.getClientCapabilities() ?? options.declaredCapabilities?.(),
  );
  registerResources(server, deps);
  registerAgentResources(server, deps);
  registerWorkerResources(server, deps);

  // One watch of job events for the whole server, started by the first subscription or by the
  // client asking for log messages, and ended with the connection.
  const feed = new JobFeed(api, caller, logError);
  const subscriptions = options.subscriptions ?? new Subscriptions();
  acceptResourceSubscriptions(server, subscriptions);
  subscriptions.onAdded(() => feed.start());
  if (subscriptions.active) feed.start();
  const updates = sendResourceUpdates(server, feed, subscriptions);
  sendAgentUpdates(server, feed, subscriptions, deps);
  sendJobLogs(server, feed);
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    previousOnClose?.();
    updates.stop();
    feed.stop().catch((error: unknown) => logError('stopping the job feed failed', error));
  };
  return server;
}
