import { type Command, Option } from 'commander';

import type { JobStatus } from '../api/job.js';
import { waitForJobs } from './follow.js';
import { formatJobTable, formatKill, formatWaitJobs, shortPath } from './format.js';
import { formatStatus } from './format-status.js';
import { integer, seconds, signal, statuses } from './parse.js';
import { type JsonOption, note, print, waitExitCode, withApi } from './session.js';

/** The verbs that start, list, inspect, stop, await and remove jobs. */

interface LsOptions extends JsonOption {
  status?: JobStatus[];
  name?: string;
  agent?: string;
  limit: number;
  all?: boolean;
  watch?: boolean;
  width?: number;
}

interface KillOptions extends JsonOption {
  signal?: ReturnType<typeof signal>;
  grace?: number;
}

interface WaitOptions extends JsonOption {
  any?: boolean;
  until: 'exit' | 'ready' | 'input';
  timeout?: number;
}

/** `top` and `ls --watch`: the live view (loaded only when asked for). */
async function top(options: LsOptions & { once?: boolean }): Promise<void> {
  const { runTop } = await import('./top.js');
  await withApi((session) => runTop(session, options));
}

export function addJobsCommands(program: Command): void {
  program
    .command('ls')
    .description('List jobs, newest first')
    .option('--status <status[,status]>', 'only jobs with this status (or any of these)', statuses)
    .option('--name <name>', 'only jobs with this name')
    .option('--agent <name>', 'only the runs of this background agent')
    .option('--limit <n>', 'at most this many', integer(1, 1000), 50)
    .option(
      '-a, --all',
      'jobs of every project (up to 1000), with whole command lines; default: this project',
    )
    .option('--json', 'print the API result as JSON')
    .addOption(
      new Option('-w, --watch', 'a live view, redrawn as jobs change (same as top)').conflicts(
        'json',
      ),
    )
    .option('--width <columns>', 'with --watch: cut lines to this width', integer(20))
    .action(async (options: LsOptions) => {
      if (options.watch) return await top(options);
      await withApi(async ({ api, call }) => {
        const input = { status: options.status, name: options.name, agent: options.agent };
        const result = await api.list(
          { ...input, all: options.all === true, limit: options.all ? 1000 : options.limit },
          call,
        );
        const width = options.all || !process.stdout.isTTY ? undefined : process.stdout.columns;
        const table = { width, project: options.all === true };
        print(options, result, ({ jobs }) =>
          jobs.length === 0 ? '' : formatJobTable(jobs, table),
        );
        if (options.json) return;
        // Without --all the API lists the project of the current folder (its git root).
        if (result.project !== null) {
          note(`jobs of ${shortPath(result.project, Infinity)} (--all for every project)`);
        }
        if (result.jobs.length === 0) note('no jobs');
        else if (result.total > result.jobs.length) {
          note(`showing ${result.jobs.length} of ${result.total} jobs; use --limit or --all`);
        }
      });
    });

  program
    .command('top')
    .description(
      'A live table of jobs: status, run time, ports, last output line; redrawn as they change',
    )
    .option('-a, --all', 'jobs of every project; default: this project')
    .option('--limit <n>', 'at most this many', integer(1, 1000), 50)
    .option('--once', 'print one frame and exit')
    .option('--width <columns>', 'cut lines to this width (default: the terminal)', integer(20))
    .action(top);

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
    .option(
      '-s, --signal <signal>',
      'first signal: TERM, INT, HUP, QUIT, KILL, USR1, USR2 (or SIGTERM, 15)',
      signal,
    )
    .option('--grace <seconds>', 'seconds before SIGKILL (default 5, at most 50)', seconds)
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, options: KillOptions) => {
      await withApi(async ({ api, call }) => {
        const input = { job_id: id, signal: options.signal, grace_s: options.grace };
        print(options, await api.kill(input, call), formatKill);
      });
    });

  program
    .command('wait')
    .description(
      "Wait for jobs to end (exit with the job's exit code), be ready or wait for input (exit 0, or 1 if one failed or ended); 124 on --timeout",
    )
    .argument('<id...>', 'job ids or names')
    .option('--any', 'return when any one of the jobs ends (default: all)')
    .addOption(
      new Option(
        '--until <event>',
        'exit: until they end; ready: until they are ready; input: until they wait for input',
      )
        .choices(['exit', 'ready', 'input'])
        .default('exit'),
    )
    .option('--timeout <seconds>', 'give up after this many seconds (default: never)', seconds)
    .option('--json', 'print the API result as JSON')
    .action(async (ids: string[], options: WaitOptions) => {
      await withApi(async (session) => {
        const { until, timeout: timeoutS } = options;
        const mode = options.any ? 'any' : 'all';
        const result = await waitForJobs(session, ids, { mode, until, timeoutS });
        print(options, result, ({ jobs }) => formatWaitJobs(jobs));
        if (!result.done && !options.json) note(`timed out after ${timeoutS}s`);
        process.exitCode = waitExitCode(result, until);
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
