#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { addAgentCommands } from './cli/agent-commands.js';
import { addDaemonCommands } from './cli/daemon-commands.js';
import { addHttpCommands } from './cli/http-commands.js';
import { addJobsCommands } from './cli/jobs-commands.js';
import { addOutputCommands } from './cli/output-commands.js';
import { addPromptCommand } from './cli/prompt-command.js';
import { addSendCommand } from './cli/send-command.js';
import { addWorkerCommands } from './cli/worker-commands.js';
import { ExitCode, isServing, reportError } from './cli/session.js';
import { VERSION } from './version.js';

/**
 * `bgjobs`: the command line over the daemon's JobsApi. Exit codes: 0 ok, 1 a domain error,
 * 2 a usage error, 78 a bad setting; `wait` (and `run --wait`) exit with the job's own code,
 * 128 + the signal number for a signal death, 124 when `--timeout` runs out; `wait --until
 * ready` (and `run --wait-ready`) exit 0 once ready, 1 when a failure pattern matched or the
 * job ended first, 124 on timeout.
 */

function createProgram(): Command {
  const program = new Command('bgjobs')
    .description('Durable background shell jobs for AI agents and the people beside them')
    .version(VERSION, '-V, --version')
    // Commander's exits become exceptions, so usage errors exit 2 and ours keep their codes.
    .exitOverride()
    // Lets `run` pass every option after the command's first word through to the command.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)');
  addJobsCommands(program);
  addOutputCommands(program);
  addSendCommand(program);
  addPromptCommand(program);
  addDaemonCommands(program);
  addWorkerCommands(program);
  addHttpCommands(program);
  addAgentCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return reportError(error);
  }
}

/** Exits once stdout and stderr have taken everything written, so a pipe gets all of it. */
async function exitAfterFlush(code: number): Promise<never> {
  const flushed = [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  );
  await Promise.all(flushed);
  process.exit(code);
}

// A reader that went away (`bgjobs logs -f id | head`) ends the CLI quietly, like a shell tool.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

const code = await main(process.argv);
// A server (the daemon, `bgjobs mcp`) ends by itself when its work is done.
if (isServing() && code === ExitCode.ok) process.exitCode = code;
else await exitAfterFlush(code);
