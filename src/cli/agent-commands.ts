import { type Command, Option } from 'commander';

import type { AgentInfo } from '../agents/api.js';
import { clip } from '../present/words.js';
import { formatAge, formatTable } from './format.js';
import { collect, envPair, integer } from './parse.js';
import { addProjectCommands } from './project-commands.js';
import { type JsonOption, print, withApi } from './session.js';

/** `bgjobs agents` and `bgjobs agent …`: background agents from the command line. */

interface StartOptions extends JsonOption {
  watch?: string[];
  ignore?: string[];
  debounce?: number;
  every?: string;
  cron?: string;
  tz?: string;
  onStart?: boolean;
  overlap?: 'skip' | 'queue' | 'restart';
  missed?: 'skip' | 'run_once';
  runsKept?: number;
  stopAfterFailures?: number;
  timeout?: number;
  cwd?: string;
  env?: Record<string, string>;
  prompt?: string;
  model?: string;
  replace?: boolean;
}

function when(iso: string | null): string {
  return iso === null ? '-' : formatAge(iso);
}

/** The table `bgjobs agents` prints: name, triggers, state, last run, next run. */
export function formatAgents(agents: AgentInfo[]): string {
  if (agents.length === 0)
    return 'no agents (start one with: bgjobs agent start NAME --watch GLOB -- COMMAND)';
  const rows = agents.map((agent) => [
    agent.name,
    clip(agent.triggers.join(', '), 40),
    agent.state,
    agent.last_run
      ? `${agent.last_run.job_id} ${agent.last_run.status}${agent.last_run.ended_at ? ` ${when(agent.last_run.ended_at)}` : ''}`
      : '-',
    when(agent.next_run_at),
  ]);
  const notes = agents.flatMap((agent) =>
    [agent.error, ...agent.warnings]
      .filter((n): n is string => n !== null)
      .map((n) => `${agent.name}: ${n}`),
  );
  return [formatTable(['NAME', 'TRIGGERS', 'STATE', 'LAST RUN', 'NEXT RUN'], rows), ...notes].join(
    '\n',
  );
}

export function addAgentCommands(program: Command): void {
  program
    .command('agents')
    .description('List background agents: triggers, state, last run, next run')
    .option('--json', 'print the API result as JSON')
    .action(async (options: JsonOption) => {
      await withApi(async ({ agents, call }) => {
        print(options, await agents.agent_list({}, call), ({ agents: list }) => formatAgents(list));
      });
    });

  const agent = program
    .command('agent')
    .description('Start, pause, resume, run, stop, remove or read an agent');

  agent
    .command('start')
    .description(
      'Define an agent and arm it: bgjobs agent start tests --watch "src/**" -- npm test',
    )
    .argument('<name>', "the agent's name")
    .argument('[command...]', 'the shell command each run executes (after --)')
    .option('--watch <glob>', 'run when a matching file changes (repeatable)', collect)
    .option('--ignore <glob>', 'never react to these paths (repeatable)', collect)
    .option(
      '--debounce <ms>',
      'one run per burst of changes this close (default 300)',
      integer(0, 60_000),
    )
    .option('--every <interval>', 'run at this interval: 30s, 5m, 1h')
    .option('--cron <expression>', 'run on this cron schedule: "0 3 * * *"')
    .option('--tz <zone>', 'the time zone of --cron, e.g. Europe/Paris')
    .option('--on-start', 'run once when the agent is started or resumed')
    .addOption(
      new Option('--overlap <policy>', 'a trigger during a run').choices([
        'skip',
        'queue',
        'restart',
      ]),
    )
    .addOption(
      new Option('--missed <policy>', 'a schedule missed while no daemon ran').choices([
        'skip',
        'run_once',
      ]),
    )
    .option('--runs-kept <n>', 'runs kept (default 20)', integer(1, 1000))
    .option(
      '--stop-after-failures <n>',
      'stop after this many failed runs in a row',
      integer(1, 1000),
    )
    .option('--timeout <s>', 'stop a run after this many seconds', integer(1, 86_400))
    .option('--cwd <dir>', 'where runs start and globs are relative to (default: here)')
    .option('--env <KEY=VALUE>', 'a variable for each run (repeatable)', envPair)
    .option(
      '--prompt <text>',
      'a prompt agent: send this to --model ({{changed}} = the changed paths)',
    )
    .option('--model <provider:model>', 'the model of a prompt agent')
    .option('--replace', 'redefine an agent of that name')
    .option('--json', 'print the API result as JSON')
    .action(async (name: string, words: string[], options: StartOptions) => {
      await withApi(async ({ agents, call }) => {
        const input = {
          name,
          command: words.length > 0 ? words.join(' ') : undefined,
          prompt: options.prompt,
          model: options.model,
          cwd: options.cwd,
          env: options.env,
          timeout_s: options.timeout,
          watch: options.watch,
          ignore: options.ignore,
          debounce_ms: options.debounce,
          every: options.every,
          cron: options.cron,
          tz: options.tz,
          on_start: options.onStart,
          overlap: options.overlap,
          missed: options.missed,
          runs_kept: options.runsKept,
          stop_after_failures: options.stopAfterFailures,
          replace: options.replace,
        };
        const result = await agents.agent_start(input, call);
        print(options, result, (r) =>
          [
            `agent ${r.name} ${r.existing ? 'unchanged' : r.replaced ? 'replaced' : 'started'}: ${r.state}`,
            r.next_run_at ? `next run ${when(r.next_run_at)}` : '',
            r.error ?? '',
          ]
            .filter(Boolean)
            .join('; '),
        );
      });
    });

  for (const [verb, what] of [
    ['pause', 'Disarm an agent, keeping it (a run that goes on finishes)'],
    ['resume', 'Arm a paused, stopped or failed agent again'],
  ] as const) {
    agent
      .command(verb)
      .description(what)
      .argument('<name>')
      .option('--json', 'print the API result as JSON')
      .action(async (name: string, options: JsonOption) => {
        await withApi(async ({ agents, call }) => {
          const info = await (verb === 'pause' ? agents.agent_pause : agents.agent_resume)(
            { name },
            call,
          );
          print(options, info, (i) => formatAgents([i]));
        });
      });
  }

  agent
    .command('run')
    .description('Start a run now (trigger "manual")')
    .argument('<name>')
    .option('--json', 'print the API result as JSON')
    .action(async (name: string, options: JsonOption) => {
      await withApi(async ({ agents, call }) => {
        print(options, await agents.agent_run({ name }, call), (r) => r.message);
      });
    });

  agent
    .command('stop')
    .description('Disarm an agent and stop its run; it stays defined (resume arms it again)')
    .argument('<name>')
    .option('--json', 'print the API result as JSON')
    .action(async (name: string, options: JsonOption) => {
      await withApi(async ({ agents, call }) => {
        print(options, await agents.agent_stop({ name }, call), (r) => r.message);
      });
    });

  addProjectCommands(program, agent);

  agent
    .command('rm')
    .description('Stop and delete an agent (its runs stay as jobs unless --runs)')
    .argument('<name>')
    .option('--runs', 'delete its runs too')
    .option('--json', 'print the API result as JSON')
    .action(async (name: string, options: JsonOption & { runs?: boolean }) => {
      await withApi(async ({ agents, call }) => {
        const result = await agents.agent_stop(
          { name, remove: true, runs: options.runs === true },
          call,
        );
        print(options, result, (r) => r.message);
      });
    });
}
