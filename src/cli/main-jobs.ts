import { JOBS_GROUP } from './program.js';
import { runCli } from './run-cli.js';

// The commands people type most (ls, status, kill, wait, rm, top), bundled alone: such a command
// line compiles, and V8 deserializes from the code cache, a third less than with every command.
runCli([JOBS_GROUP]);
