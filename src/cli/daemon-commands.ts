import { type Command, InvalidArgumentError } from 'commander';

import type { DaemonStatus } from '../daemon/lifecycle.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../mcp/profiles/names.js';
import { formatColumns } from './format.js';
import { formatDuration } from '../present/words.js';
import { cliConfig, ExitCode, type JsonOption, print, stayAlive } from './session.js';

/** The daemon's lifecycle, and the long-running servers: the daemon itself and `bgjobs mcp`. */

function formatDaemonStatus(status: DaemonStatus): string {
  const fields: [string, string | undefined][] = [
    ['daemon', status.running ? `running (pid ${status.pid ?? '?'})` : 'not running'],
    ['version', status.version],
    ['uptime', status.uptime_s === undefined ? undefined : formatDuration(status.uptime_s * 1000)],
    ['jobs', status.running_jobs === undefined ? undefined : `${status.running_jobs} running`],
    ['queued', status.queued_jobs === undefined ? undefined : `${status.queued_jobs} waiting`],
    ['home', status.home],
    ['socket', status.socket],
  ];
  return formatColumns(fields.filter((field): field is [string, string] => field[1] !== undefined));
}

const PROFILE_CHOICES = `Expected one of: ${PROFILE_NAMES.join(', ')}.`;

function profileName(raw: string): ProfileName {
  if (!isProfileName(raw))
    throw new InvalidArgumentError(`Unknown profile "${raw}". ${PROFILE_CHOICES}`);
  return raw;
}

export function addDaemonCommands(program: Command): void {
  const daemon = program
    .command('daemon')
    .description('Start, stop or inspect the daemon (one per BGJOBS_HOME; started on demand)');

  daemon
    .command('start')
    .description('Start the daemon in the background, unless it is already running')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption) => {
      const { startDaemon } = await import('../daemon/lifecycle.js');
      const result = await startDaemon(cliConfig());
      print(options, result, ({ pid, started }) =>
        started ? `daemon started (pid ${pid})` : `daemon already running (pid ${pid})`,
      );
    });

  daemon
    .command('stop')
    .description('Stop the daemon; jobs keep running and are re-adopted when it starts again')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption) => {
      const { stopDaemon } = await import('../daemon/lifecycle.js');
      const result = await stopDaemon(cliConfig());
      print(options, result, ({ stopped, pid }) =>
        stopped ? `daemon stopped (pid ${pid ?? '?'})` : 'daemon not running',
      );
    });

  daemon
    .command('status')
    .description('Show whether the daemon runs, its pid, uptime and jobs')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption) => {
      const lifecycle = await import('../daemon/lifecycle.js');
      print(options, await lifecycle.daemonStatus(cliConfig()), formatDaemonStatus);
    });

  // What `daemon start` spawns, detached: the daemon in the foreground until it stops.
  daemon
    .command('run', { hidden: true })
    .description('Run the daemon in the foreground')
    .action(async () => {
      const config = cliConfig();
      const { runDaemon } = await import('../daemon/daemon.js');
      // BGJOBS_HTTP_PORT / BGJOBS_HTTP_HOST (from the client that started it) turn HTTP on.
      const { httpSettingsFromEnv } = await import('../http/settings.js');
      const http = httpSettingsFromEnv(process.env);
      stayAlive();
      await runDaemon(config, { http });
    });

  program
    .command('mcp')
    .description('Serve MCP over stdio (for an MCP client to launch)')
    .option(
      '--profile <name>',
      `serve, instead of bgjobs' own tools, exactly those of the server you are switching from (${PROFILE_NAMES.join(', ')}); default $BGJOBS_MCP_PROFILE`,
      profileName,
    )
    .action(async (options: { profile?: ProfileName }, command: Command) => {
      const profile = options.profile ?? profileFromEnv(command);
      const config = cliConfig();
      const { runMcpStdio } = await import('../mcp/stdio.js');
      stayAlive();
      await runMcpStdio(config, { profile });
    });
}

/** BGJOBS_MCP_PROFILE, when `--profile` is not given; a bad name is a usage error like the option's. */
function profileFromEnv(command: Command): ProfileName | undefined {
  const raw = process.env.BGJOBS_MCP_PROFILE;
  if (raw === undefined || raw === '') return undefined;
  if (isProfileName(raw)) return raw;
  return command.error(`error: BGJOBS_MCP_PROFILE: unknown profile "${raw}". ${PROFILE_CHOICES}`, {
    exitCode: ExitCode.usage,
  });
}
