import { setTimeout as delay } from 'node:timers/promises';

import type { WaitResult } from '../api/control.js';
import { isFinal } from '../api/job-status.js';
import { MAX_WAIT_S } from '../api/limits.js';
import type { OutputInput, OutputResult } from '../api/read.js';
import { stripControls } from '../logs/text.js';
import { ProgressLines } from './progress-lines.js';
import { note, printJson, type Session } from './session.js';

/**
 * The two loops the CLI runs over the bounded API calls: following a job's output as it grows,
 * and waiting past the API's 50 s limit per `wait` call.
 */

const POLL_MS = 200;
const FOLLOW_READ_BYTES = 256 * 1024;

export interface FollowOptions {
  stream: 'stdout' | 'stderr' | 'both';
  raw: boolean;
  /** Byte offset to start from, for each stream read; default the oldest kept. */
  offset?: number;
  /** Start from what is new since the CLI's last read of this job. */
  newOnly: boolean;
  /** Print each non-empty read as a JSON line instead of the bytes. */
  json: boolean;
  /** Keep reading until the job ends; otherwise stop at the end of what is written so far. */
  follow: boolean;
  /** Stop following at this time (ms since the epoch), the job still running. */
  deadline?: number;
}

/**
 * Writes a job's output — stdout to stdout, stderr to stderr — page by page until the end of
 * what is written; with `follow`, keeps reading as it grows and returns once the job has ended
 * and everything it wrote has been read. Ctrl-C while following says the job keeps running.
 *
 * @example
 * const options = { stream: 'both', raw: false, newOnly: false, json: false, follow: true };
 * await streamOutput(session, 'k3f9x2qa', options);
 */
export async function streamOutput(
  session: Session,
  jobRef: string,
  options: FollowOptions,
): Promise<OutputResult> {
  let jobId = jobRef;
  const detach = options.follow ? whileAttached(() => jobId) : () => undefined;
  try {
    return await readUntilEnd(session, jobRef, options, (id) => (jobId = id));
  } finally {
    detach();
  }
}

async function readUntilEnd(
  { api, call }: Session,
  jobRef: string,
  options: FollowOptions,
  onJobId: (id: string) => void,
): Promise<OutputResult> {
  let jobId = jobRef;
  let stdoutOffset = options.offset;
  let stderrOffset = options.offset;
  let newOnly = options.newOnly;
  let sawEnd = false;
  const out = outputWriter(options);
  for (;;) {
    const input: OutputInput = {
      job_id: jobId,
      stream: options.stream,
      stdout_offset: stdoutOffset,
      stderr_offset: stderrOffset,
      new_only: newOnly,
      max_bytes: FOLLOW_READ_BYTES,
      // The CLI draws `\r` progress lines itself (ProgressLines), so it reads them as written.
      raw: options.raw || !options.json,
    };
    const result = await api.output(input, call);
    // Follow the id, not the name: once the job ends, its name may pass to a new job.
    jobId = result.job_id;
    onJobId(jobId);
    newOnly = false;
    stdoutOffset = result.stdout_read?.next_offset ?? stdoutOffset;
    stderrOffset = result.stderr_read?.next_offset ?? stderrOffset;
    await out.write(result);
    if (result.more) continue;
    const pastDeadline = options.deadline !== undefined && Date.now() >= options.deadline;
    if (!options.follow || pastDeadline) return await out.end(result);
    if (isFinal(result.status)) {
      // One more read after the end is seen, in case output landed between the read and the status.
      if (sawEnd) return await out.end(result);
      sawEnd = true;
      continue;
    }
    await delay(POLL_MS);
  }
}

/** Writes each read: as JSON lines, as written (`--raw`), or as a terminal would show it. */
function outputWriter(options: FollowOptions) {
  const lines = {
    stdout: new ProgressLines(process.stdout.isTTY),
    stderr: new ProgressLines(process.stderr.isTTY),
  };
  const shown = (text: string, stream: 'stdout' | 'stderr'): string =>
    options.raw ? text : lines[stream].push(stripControls(text));
  return {
    async write(result: OutputResult): Promise<void> {
      if (result.stdout === '' && result.stderr === '') return;
      if (options.json) return printJson(result);
      await write(process.stdout, shown(result.stdout, 'stdout'));
      await write(process.stderr, shown(result.stderr, 'stderr'));
    },
    async end(result: OutputResult): Promise<OutputResult> {
      await write(process.stdout, lines.stdout.end());
      await write(process.stderr, lines.stderr.end());
      return result;
    },
  };
}

/**
 * While following (or waiting), Ctrl-C ends the CLI, not the job: it says so, and how to stop
 * the job. Returns the function that removes the handler.
 */
export function whileAttached(jobId: () => string): () => void {
  const onInterrupt = (): void => {
    const id = jobId();
    note(`stopped following ${id}; it keeps running. Stop it with: bgjobs kill ${id}`);
    // 128 + SIGINT, as a shell reports an interrupted command.
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}

/** Writes and waits until the stream has taken the text, so a slow reader slows the follow. */
export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export interface WaitOptions {
  /** Return when all the jobs are done (default) or any one is. */
  mode?: 'all' | 'any';
  /** Until the jobs end (default), are ready, or wait for input. */
  until?: 'exit' | 'ready' | 'input';
  /** Give up after this many seconds; no limit when undefined. */
  timeoutS?: number;
}

/**
 * Waits for jobs, calling the API's bounded `wait` again until they are done or `timeoutS` has
 * passed. `waited_ms` is the whole wait.
 */
export async function waitForJobs(
  { api, call }: Session,
  jobRefs: string[],
  { mode = 'all', until = 'exit', timeoutS }: WaitOptions = {},
): Promise<WaitResult> {
  const deadline = timeoutS === undefined ? Infinity : Date.now() + timeoutS * 1000;
  let jobIds = jobRefs;
  let waitedMs = 0;
  for (;;) {
    const remainingS = Math.max(0, (deadline - Date.now()) / 1000);
    const timeout_s = Math.min(MAX_WAIT_S, remainingS);
    const result = await api.wait({ job_ids: jobIds, mode, until, timeout_s, tail_lines: 0 }, call);
    jobIds = result.jobs.map((job) => job.job_id);
    waitedMs += result.waited_ms;
    if (result.done || remainingS <= MAX_WAIT_S) return { ...result, waited_ms: waitedMs };
  }
}
