import { parseInput, type CallOptions } from '../../api/contract.js';
import { isFinal } from '../../api/job.js';
import {
  outputInputSchema,
  searchInputSchema,
  tailInputSchema,
  type OutputInput,
  type OutputResult,
  type SearchInput,
  type SearchResult,
  type StreamRead,
  type TailInput,
  type TailResult,
} from '../../api/read.js';
import { readStream, searchStream, tailStream } from '../../logs/reader.js';
import { readScreenFile } from '../../logs/screen.js';
import { resolveWithLogs, type EngineContext } from '../context.js';
import type { ReaderIdentity } from './read-positions.js';
import type { JobRecord } from '../model.js';

type Stream = 'stdout' | 'stderr';
const STREAMS: readonly Stream[] = ['stdout', 'stderr'];

/** The streams a read asks for: one of them, or both. */
const streamsOf = (which: Stream | 'both'): readonly Stream[] =>
  which === 'both' ? STREAMS : [which];

export type ReadContext = Pick<EngineContext, 'store' | 'folders' | 'readers'>;

/** `output`: a bounded page of each stream from an offset (or from where this reader left off). */
export async function readOutput(
  ctx: ReadContext,
  raw: OutputInput,
  options: CallOptions,
): Promise<OutputResult> {
  const input = parseInput(outputInputSchema, raw);
  const job = resolveWithLogs(ctx.store, input.job_id);
  const { reader, identity } = ctx.readers.readerFor(options.caller);
  const paths = ctx.folders.paths(job.id);
  const reads: Partial<Record<Stream, StreamRead & { text: string }>> = {};
  let position: OutputResult['position'] = null;
  for (const stream of streamsOf(input.stream)) {
    const explicit = stream === 'stdout' ? input.stdout_offset : input.stderr_offset;
    const stored =
      explicit === undefined && input.new_only
        ? ctx.store.getCursor(job.id, reader, stream)
        : undefined;
    if (explicit === undefined && input.new_only) {
      position = positionOf(stored, identity, position);
    }
    const offset = explicit ?? stored;
    const read = readStream(paths[stream], job.maxOutputBytes, {
      offset,
      maxBytes: input.max_bytes,
      raw: input.raw,
      final: isFinal(job.status),
      wholeLines: true,
    });
    ctx.store.setCursor(job.id, reader, stream, read.next_offset);
    reads[stream] = read;
  }
  const strip = (read: (StreamRead & { text: string }) | undefined): StreamRead | null =>
    read
      ? {
          start: read.start,
          next_offset: read.next_offset,
          size: read.size,
          dropped: read.dropped,
          more: read.more,
          skipped: read.skipped,
        }
      : null;
  return {
    job_id: job.id,
    status: job.status,
    stdout: reads.stdout?.text ?? '',
    stderr: reads.stderr?.text ?? '',
    stdout_read: strip(reads.stdout),
    stderr_read: strip(reads.stderr),
    more: Boolean(reads.stdout?.more || reads.stderr?.more),
    position,
    screen: input.screen ? await screenOf(ctx, job) : null,
  };
}

/**
 * Where a `new_only` read started: from this reader's last read; from the start, as this
 * reader never read the job; or from the start because this MCP server could not be tied to
 * the reads of the one before it (`reset`). Of two streams, the one that did not continue.
 */
function positionOf(
  stored: number | undefined,
  identity: ReaderIdentity,
  before: OutputResult['position'],
): OutputResult['position'] {
  if (stored !== undefined) return before ?? 'continued';
  return identity === 'process' ? 'reset' : 'start';
}

/** `tail`: the last lines of each stream, read from the end whatever the file's size. */
export async function readTail(ctx: ReadContext, raw: TailInput): Promise<TailResult> {
  const input = parseInput(tailInputSchema, raw);
  const job = resolveWithLogs(ctx.store, input.job_id);
  const paths = ctx.folders.paths(job.id);
  const result: TailResult = {
    job_id: job.id,
    status: job.status,
    stdout: '',
    stderr: '',
    truncated: false,
    screen: await screenOf(ctx, job),
  };
  for (const stream of streamsOf(input.stream)) {
    const tail = tailStream(paths[stream], job.maxOutputBytes, input.lines, { raw: input.raw });
    result[stream] = tail.text;
    result.truncated ||= tail.truncated;
  }
  return result;
}

/** `search`: lines matching a pattern, with context, up to a bound. */
export async function searchOutput(ctx: ReadContext, raw: SearchInput): Promise<SearchResult> {
  const input = parseInput(searchInputSchema, raw);
  const job = resolveWithLogs(ctx.store, input.job_id);
  const paths = ctx.folders.paths(job.id);
  const result: SearchResult = {
    job_id: job.id,
    status: job.status,
    matches: [],
    truncated: false,
    dropped_bytes: 0,
    whole_output: true,
    line_numbers: 'absolute',
  };
  for (const stream of streamsOf(input.stream)) {
    const left = input.max_matches - result.matches.length;
    if (left <= 0) {
      result.truncated = true;
      break;
    }
    const found = await searchStream(paths[stream], job.maxOutputBytes, input.pattern, {
      ignoreCase: input.ignore_case,
      context: input.context,
      maxMatches: left,
      stream,
    });
    result.matches.push(...found.matches);
    result.truncated ||= found.truncated;
    result.dropped_bytes += found.dropped;
    result.whole_output &&= found.dropped === 0;
    if (found.lineNumbers === 'relative') result.line_numbers = 'relative';
  }
  return result;
}

/** A pty job's visible terminal screen, played from its output; null for other jobs. */
export async function screenOf(
  ctx: Pick<EngineContext, 'folders'>,
  job: JobRecord,
): Promise<string | null> {
  if (job.pty === null) return null;
  const { stdout } = ctx.folders.paths(job.id);
  return (await readScreenFile(stdout, job.maxOutputBytes, job.pty)).text;
}
