import { resolve } from 'node:path';

import type { Command } from 'commander';

import type { JobStatus } from '../jobs/model.js';
import { streamOutput, waitForJobs } from './follow.js';
import { formatJobTable, formatStatus, formatWaitJobs } from './format.js';
import { envPair, integer, seconds, signal, statuses } from './parse.js';
import { type JsonOption, note, print, printJson, waitExitCode, withApi } from './session.js';

/** The verbs that start, list, inspect, stop, await and remove jobs. */

interface RunOptions extends JsonOption {
  name?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  wait?: boolean;
  follow?: boolean;
}

interface LsOptions extends JsonOption {
  status?: JobStatus[];
  name?: string;
  limit: number;
  all?: boolean;
}

interface KillOptions extends JsonOption {
  signal?: ReturnType<typeof signal>;
  grace?: number;
}

interface WaitOptions extends JsonOption {
  any?: boolean;
  timeout?: number;
}

export function addJobsCommands(program: Command): void {
  program
    .command('run')
    .description('Start a shell command in the background and print its job id')
    .argument('<command...>', 'the command line; several words are joined with spaces, like ssh')
    .option('--name <name>', 'a name unique among live jobs, usable wherever an id is')
    .option('--cwd <dir>', 'working directory (default: here, or BGJOBS_WORKING_DIR)')
    .option('--env <KEY=VALUE>', 'set a variable for the job (repeatable)', envPair)
    .option('--timeout <seconds>', 'stop the job after this many seconds', integer(1))
    .option('--wait', 'wait for the job and exit with its exit code')
    .option('-f, --follow', 'print its output as it runs, then exit with its exit code')
    .option('--json', 'print the API result as JSON')
    // Options after the command's first word belong to the command: `bgjobs run ls -la`.
    .passThroughOptions()
    .action(async (words: string[], options: RunOptions) => {
      await withApi(async (session) => {
        const started = await session.api.execute(
          {
            command: words.join(' '),
            name: options.name,
            cwd: options.cwd === undefined ? undefined : resolve(options.cwd),
            env: options.env,
            timeout_s: options.timeout,
          },
          session.call,
        );
        const waiting = options.wait === true || options.follow === true;
        if (options.json) printJson(started);
        else if (options.follow) note(`started ${started.job_id}`);
        else process.stdout.write(`${started.job_id}\n`);
        if (started.queue_position !== null && !options.json) {
          note(`${started.job_id} is queued (position ${started.queue_position})`);
        }
        if (!waiting) return;
        if (options.follow) {
          const json = options.json === true;
          const follow = {
            stream: 'both',
            raw: false,
            newOnly: false,
            json,
            follow: true,
          } as const;
          await streamOutput(session, started.job_id, follow);
        }
        const result = await waitForJobs(session, [started.job_id], 'all');
        if (options.json) printJson(result);
        else note(formatWaitJobs(result.jobs));
        process.exitCode = waitExitCode(result);
      });
    });

  program
    .command('ls')
    .description('List jobs, newest first')
    .option('--status <status[,status]>', 'only jobs with this status (or any of these)', statuses)
    .option('--name <name>', 'only jobs with this name')
    .option('--limit <n>', 'at most this many', integer(1, 1000), 50)
    .option(
      '-a, --all',
      'jobs of every project (up to 1000), with whole command lines; default: this project',
    )
    .option('--json', 'print the API result as JSON')
    .action(async (options: LsOptions) => {
      await withApi(async ({ api, call }) => {
        const input = { status: options.status, name: options.name };
        const result = await api.list(
          { ...input, all: options.all === true, limit: options.all ? 1000 : options.limit },
          call,
        );
        const width = options.all || !process.stdout.isTTY ? undefined : process.stdout.columns;
        print(options, result, ({ jobs }) =>
          jobs.length === 0 ? '' : formatJobTable(jobs, width),
        );
        if (options.json) return;
        if (result.jobs.length === 0) note('no jobs');
        else if (result.total > result.jobs.length) {
          note(`showing ${result.jobs.length} of ${result.total} jobs; use --limit or --all`);
        }
      });
    });

  program
    .command('status')
    .description("Show a job's status, outcome, timestamps and output sizes")
    .argument('<id>', 'job id or name')
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, options: JsonOption) => {
      await withApi(async ({ api, call }) => {
        print(options, await api.status({ job_id: id }, call), (job) => formatStatus(job));
      });
    });

  program
    .command('kill')
    .description('Stop a job: signal its process group, then SIGKILL after the grace period')
    .argument('<id>', 'job id or name')
    .option('-s, --signal <signal>', 'first signal: TERM, INT, HUP, QUIT, KILL, USR1, USR2', signal)
    .option('--grace <seconds>', 'seconds before SIGKILL (default 5, at most 50)', seconds)
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, options: KillOptions) => {
      await withApi(async ({ api, call }) => {
        const input = { job_id: id, signal: options.signal, grace_s: options.grace };
        print(options, await api.kill(input, call), (result) => result.message);
      });
    });

  program
    .command('wait')
    .description("Wait for jobs to end; exit with the job's exit code (124 on --timeout)")
    .argument('<id...>', 'job ids or names')
    .option('--any', 'return when any one of the jobs ends (default: all)')
    .option('--timeout <seconds>', 'give up after this many seconds (default: never)', seconds)
    .option('--json', 'print the API result as JSON')
    .action(async (ids: string[], options: WaitOptions) => {
      await withApi(async (session) => {
        const mode = options.any ? 'any' : 'all';
        const result = await waitForJobs(session, ids, mode, options.timeout);
        print(options, result, ({ jobs }) => formatWaitJobs(jobs));
        if (!result.done && !options.json) note(`timed out after ${options.timeout}s`);
        process.exitCode = waitExitCode(result);
      });
    });

  program
    .command('rm')
    .description('Remove an ended job and its output')
    .argument('<id>', 'job id or name')
    .option('--force', 'kill the job first if it is still running')
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, options: JsonOption & { force?: boolean }) => {
      await withApi(async ({ api, call }) => {
        const result = await api.remove({ job_id: id, force: options.force === true }, call);
        print(options, result, ({ message }) => message);
      });
    });
}
