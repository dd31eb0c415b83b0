#!/usr/bin/env node
import { VERSION } from './version.js';

/**
 * `bgjobs`: the command line over the daemon's JobsApi. Exit codes: 0 ok, 1 a domain error,
 * 2 a usage error, 78 a bad setting; `wait` (and `run --wait`) exit with the job's own code,
 * 128 + the signal number for a signal death, 124 when `--timeout` runs out; `wait --until
 * ready` (and `run --wait-ready`) exit 0 once ready, 1 when a failure pattern matched or the
 * job ended first, 124 on timeout.
 *
 * This entry stays small so that starting costs little: the version is answered here; any other
 * command line loads cli/main.js, which the build bundles into one file with the commands.
 */

const [first, ...rest] = process.argv.slice(2);
if ((first === '--version' || first === '-V') && rest.length === 0) {
  process.stdout.write(`${VERSION}\n`);
} else {
  await import('./cli/main.js');
}
