import { Command } from 'commander';

import { addAgentCommands } from './agent-commands.js';
import { addDaemonCommands } from './daemon-commands.js';
import { addHttpCommands } from './http-commands.js';
import { addJobsCommands } from './jobs-commands.js';
import { addOutputCommands } from './output-commands.js';
import { addPromptCommand } from './prompt-command.js';
import { addRunCommand } from './run-command.js';
import { addSendCommand } from './send-command.js';
import { addWorkerCommands } from './worker-commands.js';
import { VERSION } from '../version.js';

/** The commands a module adds, and the verbs a command line starts with to use them. */
export interface CommandGroup {
  verbs: readonly string[];
  add: (program: Command) => void;
}

/** The verbs that list, inspect, stop, await and remove jobs: they have a bundle of their own. */
export const JOBS_GROUP: CommandGroup = {
  verbs: ['ls', 'top', 'status', 'kill', 'wait', 'rm'],
  add: addJobsCommands,
};

/** Every command, by the verbs a command line starts with. */
export const GROUPS: readonly CommandGroup[] = [
  { verbs: ['run'], add: addRunCommand },
  JOBS_GROUP,
  { verbs: ['logs', 'tail', 'search'], add: addOutputCommands },
  { verbs: ['send'], add: addSendCommand },
  { verbs: ['prompt'], add: addPromptCommand },
  { verbs: ['daemon', 'mcp'], add: addDaemonCommands },
  { verbs: ['worker', 'workers'], add: addWorkerCommands },
  { verbs: ['serve', 'token', 'dashboard'], add: addHttpCommands },
  // It also adds `daemon unit`, so it comes after the daemon's commands.
  { verbs: ['agents', 'agent', 'up', 'down', 'daemon'], add: addAgentCommands },
];

/**
 * The commands of `bgjobs`, for commander to parse a command line with: those of the groups
 * `verb` belongs to (a command line's cost is then only its own), or all of GROUPS for any other
 * first word (help, a typo to suggest a verb for).
 */
export function createProgram(verb: string | undefined, groups: readonly CommandGroup[]): Command {
  const program = new Command('bgjobs')
    .description('Durable background shell jobs for AI agents and the people beside them')
    .version(VERSION, '-V, --version')
    // Commander's exits become exceptions, so usage errors exit 2 and ours keep their codes.
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)');
  const own = groups.filter((group) => verb !== undefined && group.verbs.includes(verb));
  for (const group of own.length > 0 ? own : groups) group.add(program);
  return program;
}
