import { resolve } from 'node:path';

import { type Command, Option } from 'commander';

import type { WaitResult } from '../api/control.js';
import type { ExecuteInput, ExecuteResult } from '../api/start.js';
import { streamOutput, waitForJobs, whileAttached } from './follow.js';
import { runWords } from './run-args.js';
import { clip, describeStatus, jobLabel } from '../present/words.js';
import { collect, envPair, exitCodes, integer, priority, ptySize, seconds } from './parse.js';
import { ExitCode, type JsonOption, note, printJson, waitExitCode, withApi } from './session.js';

/**
 * `run`: start a command in the background, then optionally follow it, wait for it to end, or
 * wait for it to be ready. (The API's `lifetime: "session"` is not offered: a CLI call has no
 * session that outlives it.)
 */

interface RunOptions extends JsonOption {
  name?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  replace?: boolean;
  readyPattern?: string;
  readyPort?: number;
  readyUrl?: string;
  failPattern?: string;
  restart?: 'no' | 'on-failure' | 'always';
  maxRestarts?: number;
  minUptime?: number;
  stopExitCodes?: number[];
  port?: number;
  pty?: boolean;
  ptySize?: { cols: number; rows: number };
  wait?: boolean;
  waitReady?: boolean;
  waitTimeout?: number;
  follow?: boolean;
  priority?: number;
  after?: string[];
  retries?: number;
  on?: string;
  envFromWorker?: string[];
}

const port = integer(1, 65535);

/** The API request a `run` command line makes; a contradiction is a usage error message. */
export function executeInput(words: string[], options: RunOptions): ExecuteInput | string {
  const ready = {
    pattern: options.readyPattern,
    port: options.readyPort,
    url: options.readyUrl,
    fail_pattern: options.failPattern,
  };
  const hasReady = [ready.pattern, ready.port, ready.url].some((value) => value !== undefined);
  if (ready.fail_pattern !== undefined && !hasReady) {
    return '--fail-pattern needs --ready-pattern, --ready-port or --ready-url';
  }
  const restartTuning = [options.maxRestarts, options.minUptime, options.stopExitCodes];
  if (options.restart === undefined && restartTuning.some((value) => value !== undefined)) {
    return '--max-restarts, --min-uptime and --stop-exit-codes need --restart';
  }
  return {
    command: words.join(' '),
    name: options.name,
    cwd: options.cwd === undefined ? undefined : resolve(options.cwd),
    env: options.env,
    timeout_s: options.timeout,
    replace: options.replace === true,
    ready: hasReady ? ready : undefined,
    restart:
      options.restart === undefined
        ? undefined
        : {
            policy: options.restart,
            max_restarts: options.maxRestarts,
            min_uptime_s: options.minUptime,
            stop_exit_codes: options.stopExitCodes,
          },
    port: options.port,
    pty: options.ptySize ?? options.pty === true,
    priority: options.priority,
    after: options.after,
    retries: options.retries,
    on: options.on,
    env_from_worker: options.envFromWorker,
  };
}

/** Says on stderr what `execute` did besides starting a job: returned one, replaced one, queued. */
function reportStart(started: ExecuteResult, options: RunOptions, follow: boolean): void {
  if (options.json) return printJson(started);
  // Following, stdout is the job's: the id goes to stderr.
  if (follow) note(`started ${started.job_id}`);
  else process.stdout.write(`${started.job_id}\n`);
  if (started.existing) {
    const which = `a job named ${started.name} is already ${started.status}`;
    note(`${which}: returned ${started.job_id} (--replace to run this command instead)`);
  }
  if (started.replaced !== null) note(`replaced ${started.replaced}, which was stopped`);
  if (started.queue_position !== null) {
    note(`${started.job_id} is queued (position ${started.queue_position})`);
  }
}

/** The line `run --wait-ready` prints on stderr: how the wait for readiness ended. */
function readyNote(result: WaitResult, timeoutS: number | undefined): string {
  const job = result.jobs[0];
  const id = job?.job_id ?? '?';
  const match = job?.match == null ? '' : `: ${clip(job.match)}`;
  switch (result.fired) {
    case 'ready':
      return `${id} is ready${match}`;
    case 'input':
      return `${id} waits for input`;
    case 'failed_pattern':
      return `${id} failed to come up${match}`;
    case 'exited':
      return `${id} ended before it was ready (${job?.status ?? 'lost'}: ${job?.reason ?? '?'})`;
    case 'timeout':
      return `${id} is not ready after ${timeoutS}s; it keeps running`;
  }
}

/** The words typed after `run`, before commander took the options out. */
function argsOf(command: Command): string[] {
  // bgjobs' own options take no value, so the first `run` is the verb.
  const typed = process.argv.slice(2);
  return typed.slice(typed.indexOf(command.name()) + 1);
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('Start a shell command in the background and print its job id')
    .argument(
      '<command...>',
      "the command line, quoted as one word or several words joined with spaces; bgjobs' options go before or after it, and -- ends them: run -- ls -la",
    )
    .option('--name <name>', 'a name unique among live jobs, usable wherever an id is')
    .option('--replace', 'if a job of that --name is running, stop it and start this one')
    .option('--cwd <dir>', 'working directory (default: here, or BGJOBS_WORKING_DIR)')
    .option('--env <KEY=VALUE>', 'set a variable for the job (repeatable)', envPair)
    .option('--timeout <seconds>', 'stop the job after this many seconds', integer(1))
    .option('--ready-pattern <regex>', 'ready once a line of output matches this')
    .option('--ready-port <port>', 'ready once this TCP port accepts connections', port)
    .option('--ready-url <url>', 'ready once this http(s) URL answers 2xx')
    .option('--fail-pattern <regex>', 'failed to come up once a line of output matches this')
    .addOption(
      new Option('--restart <policy>', 'restart the job when it ends').choices([
        'no',
        'on-failure',
        'always',
      ]),
    )
    .option('--max-restarts <n>', 'give up after n quick restarts (default 16)', integer(0, 1000))
    .option('--min-uptime <seconds>', 'a run shorter than this is quick (default 1)', seconds)
    .option('--stop-exit-codes <codes>', 'exit codes that mean done, e.g. 0,143', exitCodes)
    .option('--port <port>', 'the port it will listen on: refuse at once if it is taken', port)
    .option('--pty', 'run in a pseudo-terminal, for programs that need a TTY')
    .option('--pty-size <COLSxROWS>', 'the terminal size, like 100x30 (implies --pty)', ptySize)
    .option('--priority <n>', 'among queued jobs, higher starts first (default 0)', priority)
    .option('--after <job>', 'start only once this job completed (repeatable)', collect, [])
    .option('--retries <n>', 'try again after a failure, up to n times', integer(0, 20))
    .option('--on <label>', 'run on a worker with this label (needs BGJOBS_REDIS_URL)')
    .option(
      '--env-from-worker <NAME>',
      'with --on: a variable the worker supplies (repeatable)',
      collect,
    )
    .option('--wait', 'print its output as it runs (not with --json), then exit with its exit code')
    .addOption(
      new Option(
        '--wait-ready',
        'wait until it is ready: exit 0, 1 if it failed or ended',
      ).conflicts(['wait', 'follow']),
    )
    .option(
      '--wait-timeout <seconds>',
      'with --wait or --wait-ready: give up after this long, exit 124',
      seconds,
    )
    .option('-f, --follow', 'print its output as it runs, then exit with its exit code')
    .option('--json', 'print the API results as JSON')
    // Options are bgjobs' wherever they stand; runWords refuses the unknown ones with a hint.
    .allowUnknownOption()
    .action(async (_words: string[], options: RunOptions, command: Command) => {
      const split = runWords(argsOf(command), (flag) => {
        const option = command.options.find((known) => known.short === flag || known.long === flag);
        return option && { takesValue: option.required || option.optional };
      });
      if ('error' in split)
        return command.error(`error: ${split.error}`, { exitCode: ExitCode.usage });
      const input = executeInput(split.words, options);
      if (typeof input === 'string') {
        return command.error(`error: ${input}`, { exitCode: ExitCode.usage });
      }
      await withApi(async (session) => {
        const started = await session.api.execute(input, session.call);
        // --wait prints the output as it comes, as -f does; with --json, only the results.
        const follow = options.follow === true || (options.wait === true && !options.json);
        reportStart(started, options, follow);
        if (!options.wait && !follow && !options.waitReady) return;
        const until = options.waitReady ? 'ready' : 'exit';
        const timeoutS = options.waitTimeout;
        const deadline = timeoutS === undefined ? undefined : Date.now() + timeoutS * 1000;
        const detach = whileAttached(() => started.job_id);
        try {
          if (follow) {
            const json = options.json === true;
            const read = { stream: 'both', raw: false, newOnly: false, json, follow } as const;
            await streamOutput(session, started.job_id, { ...read, deadline });
          }
          const left =
            deadline === undefined ? undefined : Math.max(0, deadline - Date.now()) / 1000;
          const result = await waitForJobs(session, [started.job_id], { until, timeoutS: left });
          if (options.json) printJson(result);
          else if (options.waitReady) note(readyNote(result, timeoutS));
          else if (!result.done)
            note(`timed out after ${timeoutS}s; ${started.job_id} keeps running`);
          else note(result.jobs.map((job) => `${jobLabel(job)} ${describeStatus(job)}`).join('\n'));
          process.exitCode = waitExitCode(result, until);
        } finally {
          detach();
        }
      });
    });
}
