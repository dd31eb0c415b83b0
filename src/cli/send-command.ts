import type { Command } from 'commander';

import { MAX_WAIT_S } from '../api/limits.js';
import { write } from './follow.js';
import { withNewline } from './format.js';
import { keyName, seconds } from './parse.js';
import { type JsonOption, note, printJson, withApi } from './session.js';

/** `send`: type text and named keys into a job, and optionally print what comes back. */

interface SendOptions extends JsonOption {
  newline: boolean;
  key?: string[];
  eof?: boolean;
  wait?: boolean;
  expect?: string;
  timeout?: number;
}

export function addSendCommand(program: Command): void {
  program
    .command('send')
    .description("Type into a job's stdin (a newline is added, like pressing Enter)")
    .argument('<id>', 'job id or name')
    .argument('[text...]', 'the text; several words are joined with spaces')
    .option('--no-newline', 'do not add a newline')
    .option(
      '-k, --key <name>',
      'then press this key: enter, tab, up, ctrl-c, … (repeatable; no newline is added)',
      keyName,
    )
    .option('--eof', 'close stdin after writing (sends EOF)')
    .option('-w, --wait', 'wait for what comes back and print it')
    .option('--expect <regex>', 'with --wait: return as soon as the new output matches this')
    .option(
      '--timeout <seconds>',
      `with --wait: wait at most this long (default 10, at most ${MAX_WAIT_S})`,
      seconds,
    )
    .option('--json', 'print the API result as JSON')
    .action(async (id: string, words: string[], options: SendOptions) => {
      await withApi(async ({ api, call }) => {
        // `send <id> --eof` alone only closes stdin; `send <id>` alone presses Enter; with
        // --key, the keys say what to press, Enter included.
        const keys = options.key ?? [];
        const noText = words.length === 0 && (options.eof === true || keys.length > 0);
        const result = await api.interact(
          {
            job_id: id,
            input: noText ? undefined : words.join(' '),
            newline: noText || keys.length > 0 ? false : options.newline,
            keys: keys.length === 0 ? undefined : keys,
            close_stdin: options.eof === true,
            expect: options.expect,
            timeout_s: options.wait ? Math.min(MAX_WAIT_S, options.timeout ?? 10) : 0,
          },
          call,
        );
        if (options.json) return printJson(result);
        if (!options.wait) return;
        await write(process.stdout, withNewline(result.stdout));
        await write(process.stderr, withNewline(result.stderr));
        if (result.returned_because === 'timeout') note('nothing matched before the timeout');
        if (result.returned_because === 'exited') note(`the job has ended (${result.status})`);
      });
    });
}
