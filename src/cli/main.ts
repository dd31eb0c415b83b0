import { GROUPS } from './program.js';
import { runCli } from './run-cli.js';

// Every command: what bin.cjs runs for any first word without a bundle of its own (main-jobs.ts).
runCli(GROUPS);
