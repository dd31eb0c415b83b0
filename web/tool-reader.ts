// A job's output as the chat's job view reads it: through the host's bridge to the MCP server's
// `output` tool (the view, in a sandboxed frame, has no network and no event stream of its own).
// The same bounds as the dashboard's stream: at most 64 KiB of each stream to start, pieces of
// at most 64 KiB, a few pieces a round, and a skip to the latest output when far behind.
import type { OutputResult } from '../src/api/read.js';
import type { OutputChunk } from '../src/http/rows.js';
import { CHUNK_BYTES, INITIAL_BYTES, MAX_BEHIND_BYTES } from '../src/http/job-stream.js';

type Stream = OutputChunk['stream'];
type Offsets = Record<Stream, number>;

/** Reads one piece of output, from these offsets, through a tool call (`output`, raw, both). */
export type ReadOutput = (from: Offsets, maxBytes: number) => Promise<OutputResult>;

/** Where the view has got to: what it has shown, and where it reads next (ahead, after a skip). */
export interface ReadPosition {
  shown: Offsets;
  next: Offsets;
}

const PIECES_PER_ROUND = 4;

/** Where a view of a job with this much output starts: its last 64 KiB of each stream. */
export function startPosition(
  sizes: Record<Stream, { bytes: number; dropped: number }>,
): ReadPosition {
  const start = {
    stdout: Math.max(sizes.stdout.dropped, sizes.stdout.bytes - INITIAL_BYTES),
    stderr: Math.max(sizes.stderr.dropped, sizes.stderr.bytes - INITIAL_BYTES),
  };
  return { shown: { ...start }, next: { ...start } };
}

/**
 * One round: up to four pieces, each given to `sink` as it comes. Returns the job's status as
 * the last read saw it and whether more output was left.
 */
export async function readRound(
  read: ReadOutput,
  position: ReadPosition,
  sink: (chunk: OutputChunk) => void,
): Promise<{ status: OutputResult['status']; more: boolean }> {
  let last = await read(position.next, CHUNK_BYTES);
  for (let piece = 1; ; piece++) {
    for (const stream of ['stdout', 'stderr'] as const) take(stream, last, position, sink);
    if (!last.more || piece === PIECES_PER_ROUND) return { status: last.status, more: last.more };
    last = await read(position.next, CHUNK_BYTES);
  }
}

function take(
  stream: Stream,
  result: OutputResult,
  position: ReadPosition,
  sink: (chunk: OutputChunk) => void,
): void {
  const info = stream === 'stdout' ? result.stdout_read : result.stderr_read;
  if (info === null) return;
  const text = stream === 'stdout' ? result.stdout : result.stderr;
  const skipped = Math.max(0, info.start - position.shown[stream]);
  position.shown[stream] = position.next[stream] = info.next_offset;
  if (text !== '' || skipped > 0) sink({ stream, text, skipped });
  // Far behind (a flood): read on from near the end; that piece tells how much was skipped.
  if (info.size - info.next_offset > MAX_BEHIND_BYTES) {
    position.next[stream] = info.size - CHUNK_BYTES;
  }
}
