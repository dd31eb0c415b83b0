import { closeSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { BgError, ErrorCode } from '../../api/errors.js';
import { readStream } from '../../logs/reader.js';
import { readScreenFile } from '../../logs/screen.js';
import { keyBytes } from '../../api/keys.js';
import { PatternMatcher } from '../../logs/pattern-budget.js';
import { signalProcess } from '../../procfs/proc.js';
import { openStdinForWrite } from '../../monitor/spawn.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { interactInputSchema, type InteractInput, type InteractResult } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import type { JobRecord } from '../model.js';
import { resolveJob, type EngineContext } from '../context.js';
import { answerProbe } from './answer-probe.js';
import { screenOf } from './read.js';

// Looks are quick at first, when most answers come, then slower.
const FAST_POLL_MS = 4;
const FAST_FOR_MS = 1000;
const POLL_MS = 20;
const DRAIN_LOOK_MS = 1;
// A terminal's output reaches the file through script(1), a copy later: look until it has.
const PTY_DRAIN_LOOK_MS = 4;
const MAX_REPLY_BYTES = 64 * 1024;
const DEFAULT_SETTLE_MS = 300;
// With no output at all after the input, "quiet" needs longer than the usual settle time.
const SILENT_SETTLE_MS = 2000;

type Returned = InteractResult['returned_because'];

/**
 * Writes input to a running job's stdin and returns what it printed after: as soon as
 * `expect` matches; or (without expect) as soon as the job has read the input and waits for
 * more, its output drained; or when the job ends; within `timeout_s`. Where the kernel cannot
 * tell that the job waits for input, once its output has been quiet for `settle_ms`.
 */
export async function interact(
  ctx: Pick<EngineContext, 'store' | 'folders' | 'runners'>,
  raw: InteractInput,
  options: CallOptions,
): Promise<InteractResult> {
  const input = parseInput(interactInputSchema, raw);
  const job = resolveJob(ctx.store, input.job_id);
  if (job.kind === 'llm') {
    throw new BgError(
      ErrorCode.invalidInput,
      `Job ${job.id} is a prompt job; it takes no input. Read its answer with \`output\` or \`tail\`.`,
    );
  }
  if (job.status !== 'running') {
    throw new BgError(
      ErrorCode.notRunning,
      `Job ${job.id} is ${job.status}, not running, so it takes no input. Read what it printed with \`output\` or \`tail\`.`,
    );
  }
  if (job.stdinClosed && (input.input !== undefined || input.close_stdin)) {
    throw new BgError(
      ErrorCode.notRunning,
      `The stdin of job ${job.id} was already closed; it takes no more input.`,
    );
  }
  // Compiled (or refused) before anything is written; ended with the call.
  const expect =
    input.expect === undefined
      ? undefined
      : new PatternMatcher([{ pattern: input.expect, multiline: true }]);
  try {
    return await exchange(ctx, job, input, options, expect);
  } finally {
    expect?.close();
  }
}

async function exchange(
  ctx: Pick<EngineContext, 'store' | 'folders' | 'runners'>,
  job: JobRecord,
  input: ReturnType<typeof interactInputSchema.parse>,
  options: CallOptions,
  expect: PatternMatcher | undefined,
): Promise<InteractResult> {
  const paths = ctx.folders.paths(job.id);
  const fileSize = (path: string): number => ctx.folders.sizeOf(path);
  const from = { stdout: fileSize(paths.stdout), stderr: fileSize(paths.stderr) };
  const began = Date.now();
  const deadline = began + input.timeout_s * 1000;
  // Taken before anything is written, so that "waiting again" means "after reading it".
  const probe = input.timeout_s > 0 && !expect ? answerProbe(job, paths.stdin) : undefined;

  // Keys are checked before anything is written. Arrow keys are spelt as the program asked
  // (application cursor mode) on a terminal.
  let keys = '';
  if (input.keys !== undefined && input.keys.length > 0) {
    const screen =
      job.pty === null
        ? undefined
        : await readScreenFile(paths.stdout, job.maxOutputBytes, job.pty);
    const applicationCursorKeys = screen?.applicationCursorKeys ?? false;
    keys = input.keys.map((key) => keyBytes(key, { applicationCursorKeys })).join('');
  }
  // A runner whose jobs' stdin is elsewhere (a remote worker's) takes the input itself.
  const runner = ctx.runners[job.kind];
  const write = (text: string): Promise<void> =>
    runner.input
      ? runner.input(job, text)
      : writeInput(paths.stdin, job.id, text, Math.max(deadline, began + 1000));
  if (input.input !== undefined) await write(input.newline ? `${input.input}\n` : input.input);
  if (keys !== '') await write(keys);
  if (input.close_stdin) {
    if (runner.closeInput) {
      await runner.closeInput(job);
      ctx.store.update(job.id, { stdinClosed: true });
    } else closeStdin(ctx, job);
  }

  const read = (stream: 'stdout' | 'stderr', final: boolean): string =>
    readStream(paths[stream], job.maxOutputBytes, {
      offset: from[stream],
      maxBytes: MAX_REPLY_BYTES,
      raw: false,
      final,
    }).text;

  let because: Returned = 'no_wait';
  if (input.timeout_s > 0) {
    because = await watch();
  }
  const fresh = ctx.store.get(job.id) ?? job;
  const final = isFinal(fresh.status);
  return {
    job_id: job.id,
    status: fresh.status,
    stdout: read('stdout', final),
    stderr: read('stderr', final),
    returned_because: because,
    stdin_open: !final && !fresh.stdinClosed,
    exit_code: fresh.exitCode,
    screen: await screenOf(ctx, fresh),
  };

  async function watch(): Promise<Returned> {
    let size = from.stdout + from.stderr;
    let lastChange = began;
    let nextProgress = began + 1000;
    // The output's size when the job was last seen waiting again: the same size at the next
    // look means the output is drained.
    let answeredAt: number | undefined;
    for (;;) {
      const now = Date.now();
      const current = ctx.store.get(job.id);
      const ended = current === undefined || isFinal(current.status);
      const state = probe?.look();
      const newSize = fileSize(paths.stdout) + fileSize(paths.stderr);
      if (newSize !== size) {
        size = newSize;
        lastChange = now;
      }
      const grown = size > from.stdout + from.stderr;
      if (
        expect &&
        grown &&
        (await expected(expect, [read('stdout', ended), read('stderr', ended)]))
      )
        return 'expect';
      if (ended) return 'exited';
      // Settled on the answer, not on the echo: for a pty job, once script(1) has copied all
      // the job wrote before it waited again.
      if (state === 'answered' && answeredAt === size && probe?.drained()) {
        return 'waiting_for_input';
      }
      answeredAt = state === 'answered' ? size : undefined;
      // Quiet ends the wait only where the kernel cannot say the job is still working (or its
      // terminal's output still being copied), unless settle_ms was asked for.
      const working = state === 'busy' || (state === 'answered' && !probe?.drained());
      if (probe && (!working || input.settle_ms !== undefined)) {
        const settleMs = input.settle_ms ?? DEFAULT_SETTLE_MS;
        const quietFor = now - lastChange;
        if (grown ? quietFor >= settleMs : quietFor >= Math.max(settleMs, SILENT_SETTLE_MS))
          return 'settled';
      }
      if (now >= deadline || options.signal?.aborted) return 'timeout';
      if (options.onProgress && now >= nextProgress) {
        nextProgress += 1000;
        options.onProgress({
          progress: Math.round((now - began) / 1000),
          total: input.timeout_s,
          message: 'waiting for output',
        });
      }
      // Once the job waits again, the look that confirms the output is drained comes soon.
      if (answeredAt !== undefined)
        await delay(job.pty === null ? DRAIN_LOOK_MS : PTY_DRAIN_LOOK_MS);
      else await delay(now - began < FAST_FOR_MS ? FAST_POLL_MS : POLL_MS);
    }
  }
}

/** Whether expect matches either stream's new output; past its time budget, an error saying the input went in. */
async function expected(expect: PatternMatcher, texts: string[]): Promise<boolean> {
  try {
    return (await expect.match(texts)) !== undefined;
  } catch (error) {
    if (!(error instanceof BgError)) throw error;
    throw new BgError(error.code, `The input was written. ${error.message}`, {
      data: error.data,
      cause: error,
    });
  }
}

/** Writes all of TEXT to the job's stdin FIFO, waiting while the pipe is full. */
async function writeInput(
  stdin: string,
  id: string,
  text: string,
  deadline: number,
): Promise<void> {
  const fd = openStdinForWrite(stdin);
  if (fd === undefined) {
    throw new BgError(
      ErrorCode.notRunning,
      `Job ${id} has no open stdin to write to (its monitor is gone).`,
    );
  }
  try {
    let data = Buffer.from(text);
    while (data.length > 0) {
      try {
        const written = writeSync(fd, data);
        data = data.subarray(written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        if (Date.now() >= deadline) {
          throw new BgError(
            ErrorCode.limitReached,
            `Job ${id} is not reading its input: the pipe is full and ${data.length} bytes were not written.`,
          );
        }
        await delay(10);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Asks the job's monitor to close its end of the stdin FIFO, so the job reads EOF. */
function closeStdin(ctx: Pick<EngineContext, 'store'>, job: JobRecord): void {
  if (
    job.monitorPid === null ||
    job.monitorStart === null ||
    !signalProcess(job.monitorPid, job.monitorStart, 'SIGUSR1')
  ) {
    throw new BgError(
      ErrorCode.notRunning,
      `Could not close the stdin of job ${job.id}: its monitor is gone.`,
    );
  }
  ctx.store.update(job.id, { stdinClosed: true });
}
