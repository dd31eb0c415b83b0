import { CommanderError } from 'commander';

import { type CommandGroup, createProgram } from './program.js';
import { ExitCode, isServing, reportError } from './session.js';

/**
 * Runs the `bgjobs` command line with the commands of GROUPS: parses it, runs the command, and
 * ends the process with the command's exit code (see cli.ts), unless the command is a server
 * that ends by itself. The build bundles each entry that calls this (main.ts, main-jobs.ts)
 * with everything it loads (scripts/bundle-cli.mjs).
 */
export function runCli(groups: readonly CommandGroup[]): void {
  // A reader that went away (`bgjobs logs -f id | head`) ends the CLI quietly, like a shell tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  });
  // No top-level await: the build bundles this module as CommonJS (scripts/bundle-cli.mjs).
  void main(process.argv, groups).then((code) => {
    // A server (the daemon, `bgjobs mcp`) ends by itself when its work is done.
    if (isServing() && code === ExitCode.ok) process.exitCode = code;
    else void exitAfterFlush(code);
  });
}

async function main(argv: string[], groups: readonly CommandGroup[]): Promise<number> {
  try {
    await createProgram(argv[2], groups).parseAsync(argv);
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
