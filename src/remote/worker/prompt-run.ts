import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { promptEnv } from '../../llm/models.js';
import { wirePromptSchema, type WirePrompt } from '../wire.js';

/**
 * A prompt on a worker runs like any remote run — under its own monitor, its answer appended
 * to the run's stdout file and mirrored back — as a small bgjobs process (`bgjobs prompt-exec
 * FILE`) that reads the prompt from a file in the run's folder (kept 0600) and streams the
 * model's answer to stdout. It reads its provider settings from the worker's environment.
 *
 * Its exit status says how it went: 0 answered; RETRYABLE_EXIT when a retry may help (a rate
 * limit, a dropped connection: the daemon retries it if the job has retries left); 1 otherwise.
 */
export const RETRYABLE_EXIT = 75;
const PROMPT_FILE = 'prompt.json';

/** Writes the prompt into the run's folder and gives the shell command that runs it. */
export function promptCommand(dir: string, prompt: WirePrompt, cli: string): string {
  const file = join(dir, PROMPT_FILE);
  writeFileSync(file, JSON.stringify(prompt), { mode: 0o600 });
  return [process.execPath, cli, 'prompt-exec', file].map(shellWord).join(' ');
}

/** What a prompt run gets of the worker's environment: its providers' keys and endpoints. */
export function promptRunEnv(
  workerEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(workerEnv))
    if (value !== undefined) defined[name] = value;
  return promptEnv(defined);
}

/**
 * `bgjobs prompt-exec FILE`: runs the prompt, the answer to stdout, a failure to stderr.
 * Resolves with the exit status; SIGTERM aborts the request (the monitor then records it).
 */
export async function execPrompt(file: string): Promise<number> {
  const { resolveModel } = await import('../../llm/models.js');
  const { LlmError, runPrompt } = await import('../../llm/run.js');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined) env[name] = value;
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('stopped by a signal'));
  process.once('SIGTERM', abort);
  process.once('SIGINT', abort);
  try {
    const spec = wirePromptSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const model = resolveModel(spec.model ?? undefined, env);
    let last = '';
    const result = await runPrompt(
      {
        model,
        prompt: spec.prompt,
        system: spec.system ?? undefined,
        params: spec.params,
      },
      {
        env,
        signal: controller.signal,
        onText: (delta) => {
          process.stdout.write(delta);
          if (delta !== '') last = delta;
        },
      },
    );
    // Like a terminal's last line, an answer ends with a newline in the file.
    if (result.text !== '' && !last.endsWith('\n')) process.stdout.write('\n');
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof LlmError && error.retryable ? RETRYABLE_EXIT : 1;
  }
}

function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
