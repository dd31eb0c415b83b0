import type { Config } from '../config.js';
import { DaemonClient } from '../daemon/client.js';
import { type Caller, defaultCaller } from '../api/caller.js';
import { VERSION } from '../version.js';
import type { ProfileName } from './profiles/names.js';
import { serveConnection } from './serve.js';
import { mcpSessionOwner } from './session.js';
import { StdioTransport } from './stdio-transport.js';

/**
 * `bgjobs mcp`: serves MCP over stdio until the client closes stdin (or a SIGINT/SIGTERM), with
 * every tool call sent to the daemon (started on demand). Logs go to stderr: stdout is the protocol.
 * With a `profile`, it serves that drop-in profile's tools instead of bgjobs' own.
 *
 * @example
 * await runMcpStdio(loadConfig(process.env), { profile: 'mcp-background-job' });
 */
export async function runMcpStdio(
  config: Config,
  options: { profile?: ProfileName | undefined } = {},
): Promise<void> {
  const { profile } = options;
  const caller = callerFromProcess(config);
  const api = new DaemonClient(config, true);
  // Start (or reach) the daemon while the client initialises; the first tool call shares this
  // attempt. If it fails, each call tries again and says why as an isError result, rather than
  // the server failing to start.
  const ready = api
    .ready()
    .catch((error: unknown) => log(`the daemon is not available yet: ${describe(error)}`));

  const transport = new StdioTransport();
  const serving = { caller, version: VERSION, profile, readsFollowClient: true };
  const handle = serveConnection(api, serving, transport, (error) =>
    log(`protocol error: ${error.message}`),
  );
  let signalled: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    signalled = signal;
    log(`${signal} received: closing`);
    handle.close().catch((error: unknown) => log(`error while closing: ${describe(error)}`));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const as = profile === undefined ? '' : ` as ${profile}`;
  log(`serving MCP on stdio${as} (data in ${config.home})`);
  try {
    await transport.closed;
    if (signalled === undefined) log('the client closed stdin: closing');
    await handle.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // A connection still being opened would otherwise outlive close() and keep the process up.
    await ready;
    api.close();
  }
}

/**
 * The caller context of this process: jobs inherit its environment and working directory, and
 * `lifetime: "session"` jobs belong to this process's MCP session.
 */
export function callerFromProcess(config: Config): Caller {
  return {
    ...defaultCaller(config),
    // One read position per server process, so `output` with new_only follows this chat's reads.
    reader: `mcp:${process.pid}:${Date.now()}`,
    owner: mcpSessionOwner(),
  };
}

function log(message: string): void {
  process.stderr.write(`bgjobs mcp: ${message}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
