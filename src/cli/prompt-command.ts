import { readFileSync } from 'node:fs';

import { type Command, InvalidArgumentError } from 'commander';

import type { PromptInput } from '../api/start.js';
import { streamOutput, waitForJobs } from './follow.js';
import { collect, integer, priority } from './parse.js';
import { ExitCode, type JsonOption, note, printJson, waitExitCode, withApi } from './session.js';

/** `prompt`: hand a prompt to a model as a background job; its answer is the job's output. */

interface PromptOptions extends JsonOption {
  model?: string;
  system?: string;
  file?: string;
  maxTokens?: number;
  temperature?: number;
  name?: string;
  timeout?: number;
  priority?: number;
  after?: string[];
  retries?: number;
  wait?: boolean;
  follow?: boolean;
}

function temperature(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 2) {
    throw new InvalidArgumentError('a number from 0 to 2');
  }
  return value;
}

export function addPromptCommand(program: Command): void {
  program
    .command('prompt')
    .description("Send a prompt to a model in the background and print the job's id")
    .argument('[text...]', 'the prompt (or --file, or standard input with -)')
    .option(
      '-m, --model <provider:model>',
      'e.g. anthropic:claude-sonnet-4-5 (default BGJOBS_DEFAULT_MODEL)',
    )
    .option('--system <text>', 'a system prompt')
    .option('--file <path>', 'read the prompt from this file (- for standard input)')
    .option('--max-tokens <n>', 'at most this many tokens in the answer', integer(1, 1_000_000))
    .option('--temperature <t>', 'sampling temperature, 0 to 2', temperature)
    .option('--name <name>', 'a name unique among live jobs')
    .option('--timeout <seconds>', 'stop waiting for the answer after this long', integer(1))
    .option('--priority <n>', 'among queued jobs, higher starts first', priority)
    .option('--after <job>', 'start only once this job completed (repeatable)', collect, [])
    .option('--retries <n>', 'tries after a failure (default 2)', integer(0, 20))
    .option('--wait', 'wait for the answer, print it, and exit 0 if it came')
    .option('-f, --follow', 'print the answer as it streams in')
    .option('--json', 'print the API result as JSON')
    .action(async (words: string[], options: PromptOptions, command: Command) => {
      const fromFile =
        options.file === undefined
          ? undefined
          : readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
      const text = fromFile ?? words.join(' ');
      if (text.trim() === '') {
        return command.error('error: give the prompt as arguments or with --file', {
          exitCode: ExitCode.usage,
        });
      }
      const input: PromptInput = {
        prompt: text,
        model: options.model,
        system: options.system,
        params: { max_tokens: options.maxTokens, temperature: options.temperature },
        name: options.name,
        timeout_s: options.timeout,
        priority: options.priority,
        after: options.after,
        retries: options.retries,
      };
      await withApi(async (session) => {
        const started = await session.api.prompt(input, session.call);
        if (options.json) printJson(started);
        else if (!options.follow && !options.wait) process.stdout.write(`${started.job_id}\n`);
        else note(`started ${started.job_id}`);
        if (options.follow) {
          const follow = {
            stream: 'stdout',
            raw: false,
            newOnly: false,
            json: options.json === true,
            follow: true,
          } as const;
          await streamOutput(session, started.job_id, follow);
        }
        if (!options.wait && !options.follow) return;
        const result = await waitForJobs(session, [started.job_id], {
          until: 'exit',
          timeoutS: undefined,
        });
        if (options.wait && !options.follow) {
          const answer = await session.api.output(
            { job_id: started.job_id, stream: 'stdout', max_bytes: 1024 * 1024 },
            session.call,
          );
          process.stdout.write(answer.stdout);
        }
        process.exitCode = waitExitCode(result, 'exit');
      });
    });
}
