import type { JobsApi } from '../api/contract.js';
import type { StatusResult } from '../api/listing.js';
import type { OutputResult } from '../api/read.js';
import type { JobFeed } from '../mcp/job-feed.js';
import type { OutputChunk } from './rows.js';

/** A page starts with at most this much of each stream's latest output. */
export const INITIAL_BYTES = 64 * 1024;
/** Output is read and sent in pieces of at most this many bytes per stream… */
export const CHUNK_BYTES = 64 * 1024;
/** …at most this many pieces per round, rounds at least this far apart. */
const CHUNKS_PER_ROUND = 4;
const ROUND_EVERY_MS = 100;
/** A page further behind than this skips ahead to the latest output (and is told so). */
export const MAX_BEHIND_BYTES = 1024 * 1024;

export interface JobStreamSink {
  status: (status: StatusResult) => Promise<void>;
  output: (chunk: OutputChunk) => Promise<void>;
}

type Stream = OutputChunk['stream'];

/**
 * Follows one job for its page until `signal` aborts: its status at once and again at each
 * change, and its output as it is written — read only when the event stream says it grew, in
 * bounded pieces, at a bounded rate, one round at a time (a slow page slows the reads rather
 * than filling memory), skipping ahead when the page falls too far behind.
 */
export async function followJob(
  api: JobsApi,
  hub: JobFeed,
  ref: string,
  sink: JobStreamSink,
  signal: AbortSignal,
): Promise<void> {
  const first = await api.status({ job_id: ref });
  const id = first.job_id;
  await sink.status(first);
  const offsets: Record<Stream, number> = {
    stdout: Math.max(first.stdout.dropped, first.stdout.bytes - INITIAL_BYTES),
    stderr: Math.max(first.stderr.dropped, first.stderr.bytes - INITIAL_BYTES),
  };
  const pending: Record<Stream, number> = { stdout: offsets.stdout, stderr: offsets.stderr };

  let running: Promise<void> | undefined;
  let again = false;
  let statusChanged = false;
  const round = async (): Promise<void> => {
    if (statusChanged) {
      statusChanged = false;
      await sink.status(await api.status({ job_id: id }));
    }
    for (let i = 0; i < CHUNKS_PER_ROUND && !signal.aborted; i++) {
      const read = await api.output({
        job_id: id,
        stream: 'both',
        stdout_offset: offsets.stdout,
        stderr_offset: offsets.stderr,
        max_bytes: CHUNK_BYTES,
        raw: true,
      });
      for (const stream of ['stdout', 'stderr'] as const) {
        const skipped = pending[stream];
        pending[stream] = 0;
        await send(stream, read, skipped);
      }
      if (!read.more) return;
    }
    again = true;
  };
  const send = async (stream: Stream, read: OutputResult, skipped: number) => {
    const info = stream === 'stdout' ? read.stdout_read : read.stderr_read;
    if (info === null) return;
    const text = stream === 'stdout' ? read.stdout : read.stderr;
    // The skipped bytes are those before this read's start that were never sent.
    const gap = Math.max(0, info.start - offsets[stream]) + skipped;
    offsets[stream] = info.next_offset;
    if (info.size - info.next_offset > MAX_BEHIND_BYTES) {
      const jump = info.size - CHUNK_BYTES;
      pending[stream] = jump - info.next_offset;
      offsets[stream] = jump;
    }
    if (text !== '' || gap > 0) await sink.output({ stream, text, skipped: gap });
  };
  const kick = (): void => {
    if (running !== undefined || signal.aborted) {
      again = true;
      return;
    }
    running = round()
      .catch(() => {
        // The job was removed, or the page is gone: nothing to send any more.
      })
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, ROUND_EVERY_MS).unref()))
      .finally(() => {
        running = undefined;
        if (again && !signal.aborted) {
          again = false;
          kick();
        }
      });
  };

  const leave = hub.on((event) => {
    if (event.job_id !== id) return;
    if (event.type !== 'output') statusChanged = true;
    kick();
  });
  kick();
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  leave();
  await running;
}
