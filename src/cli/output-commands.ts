import { type Command, Option } from 'commander';

import { MAX_READ_BYTES } from '../api/limits.js';
import { streamOutput, write } from './follow.js';
import { formatMatches, moreHint, withNewline } from './format.js';
import { integer } from './parse.js';
import {
  ExitCode,
  type JsonOption,
  note,
  print,
  printJson,
  type Session,
  withApi,
} from './session.js';

/** The verbs that read a job's output. */

type Stream = 'stdout' | 'stderr' | 'both';

interface LogsOptions extends JsonOption {
  stream: Stream;
  offset?: number;
  new?: boolean;
  raw?: boolean;
  maxBytes?: number;
  follow?: boolean;
  screen?: boolean;
}

interface TailOptions extends JsonOption {
  lines: number;
  stream: Stream;
  raw?: boolean;
}

interface SearchOptions extends JsonOption {
  context: number;
  ignoreCase?: boolean;
  stream: Stream;
  maxMatches: number;
}

const streamOption = () =>
  new Option('--stream <stream>', 'which output to read')
    .choices(['stdout', 'stderr', 'both'])
    .default('both');

export function addOutputCommands(program: Command): void {
  program
    .command('logs')
    .description("Print a job's output: stdout to stdout, stderr to stderr")
    .argument('<id>', 'job id or name')
    .addOption(streamOption())
    .option('--offset <bytes>', 'start at this byte offset of each stream read', integer(0))
    .option('--new', 'only what is new since the last `bgjobs logs` of this job')
    .option('--raw', 'bytes as written: keep ANSI escapes and \\r progress lines')
    .option(
      '--max-bytes <n>',
      `read one page of at most n bytes per stream`,
      integer(1, MAX_READ_BYTES),
    )
    .option('-f, --follow', 'keep printing as the output grows; end when the job ends')
    .addOption(
      new Option('--screen', 'print the terminal screen of a --pty job instead').conflicts([
        'follow',
        'new',
      ]),
    )
    .option('--json', 'print the API result as JSON (one line per read with --follow)')
    .action(async (id: string, options: LogsOptions) => {
      await withApi(async (session) => {
        if (options.screen) return await printScreen(session, id, options);
        const read = {
          stream: options.stream,
          raw: options.raw === true,
          offset: options.offset,
          newOnly: options.new === true,
          json: options.json === true,
        };
        const onePage = !options.follow && (options.maxBytes !== undefined || options.json);
        if (!onePage) {
          await streamOutput(session, id, { ...read, follow: options.follow === true });
          return;
        }
        const input = {
          job_id: id,
          stream: read.stream,
          stdout_offset: read.offset,
          stderr_offset: read.offset,
          new_only: read.newOnly,
          max_bytes: options.maxBytes,
          raw: read.raw,
        };
        const result = await session.api.output(input, session.call);
        if (options.json) return printJson(result);
        await write(process.stdout, result.stdout);
        await write(process.stderr, result.stderr);
        const hints = [
          moreHint('stdout', result.stdout_read),
          moreHint('stderr', result.stderr_read),
        ];
        for (const hint of hints) if (hint !== null) note(hint);
      });
    });

  program
    .command('tail')
    .description("Print the last lines of a job's output")
    .argument('<id>', 'job id or name')
    .option('-n, --lines <n>', 'how many lines', integer(1, 10_000), 20)
    .addOption(streamOption())
    .option('--raw', 'the output with ANSI escapes, not the screen of a --pty job')
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, options: TailOptions) => {
      await withApi(async ({ api, call }) => {
        const input = {
          job_id: id,
          lines: options.lines,
          stream: options.stream,
          raw: options.raw,
        };
        const result = await api.tail(input, call);
        if (options.json) return printJson(result);
        // A terminal program redraws its screen: what it shows now reads better than its bytes.
        if (result.screen !== null && !options.raw) {
          return await write(process.stdout, screenText(result.screen));
        }
        await write(process.stdout, withNewline(result.stdout));
        await write(process.stderr, withNewline(result.stderr));
        if (result.truncated) note('the lines asked for were longer than one read allows');
      });
    });

  program
    .command('search')
    .description("Search a job's output for a regular expression, grep-style")
    .argument('<id>', 'job id or name')
    .argument('<pattern>', 'a JavaScript regular expression')
    .option('-C, --context <n>', 'lines of context each side', integer(0, 20), 2)
    .option('-i, --ignore-case', 'match without regard to case')
    .addOption(streamOption())
    .option('--max-matches <n>', 'at most this many matches', integer(1, 500), 50)
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, pattern: string, options: SearchOptions) => {
      await withApi(async ({ api, call }) => {
        const result = await api.search(
          {
            job_id: id,
            pattern,
            ignore_case: options.ignoreCase === true,
            stream: options.stream,
            context: options.context,
            max_matches: options.maxMatches,
          },
          call,
        );
        print(options, result, ({ matches }) => formatMatches(matches));
        if (options.json) return;
        if (result.matches.length === 0) note('no matches');
        if (result.truncated) note(`more than ${options.maxMatches} matches; raise --max-matches`);
      });
    });
}

/** A screen without its trailing blank lines, ending in a newline. */
function screenText(screen: string): string {
  return withNewline(screen.replace(/\s+$/, ''));
}

/** `logs --screen`: what the terminal of a pty job shows now. */
async function printScreen(session: Session, id: string, options: LogsOptions): Promise<void> {
  const input = { job_id: id, stream: 'stdout', max_bytes: 1, screen: true } as const;
  const result = await session.api.output(input, session.call);
  if (options.json) return printJson(result);
  if (result.screen === null) {
    note(
      `${result.job_id} has no screen: it was not started with --pty; use logs without --screen`,
    );
    process.exitCode = ExitCode.error;
    return;
  }
  await write(process.stdout, screenText(result.screen));
}
