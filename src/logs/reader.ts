import type { StreamRead } from '../api/read.js';
import {
  incompleteEscapeTail,
  incompleteUtf8Tail,
  leadingContinuationBytes,
  toModelText,
} from './text.js';
import { readAt, windowOf, withStreamFile } from './window.js';

export { searchStream } from './search.js';
export type { SearchOptions, StreamSearch } from './search.js';

/**
 * Bounded reads of a job's capped output stream. Reads are synchronous positioned reads of at
 * most `maxBytes` (≤ 1 MiB), never of the whole file, and never of bytes below the kept window.
 */

export interface ReadOptions {
  /** Absolute offset to read from (a previous `next_offset`); default the oldest kept byte. */
  offset?: number | undefined;
  maxBytes: number;
  /** Keep escapes and `\r` as written. */
  raw: boolean;
  /** The stream is complete (the job ended): hold nothing back waiting for more bytes. */
  final?: boolean | undefined;
  /**
   * Pages of whole lines: a page with more after it ends at its last newline (if it has one),
   * and a page the cap made start inside a line starts at the next line (`skipped` says how
   * far that was).
   */
  wholeLines?: boolean | undefined;
}

export type StreamText = StreamRead & { text: string };

/**
 * Reads up to `maxBytes` from `offset`. An offset below the kept window starts at the window;
 * one past the end returns nothing, with `next_offset` clamped to the size. A character (or,
 * for model text, an escape sequence) cut by the end of the read is held back: it is not in
 * `text`, `next_offset` stops before it, and the next read returns it whole. At the end of a
 * `final` stream (the job ended) nothing is held back. `more` says whether bytes past those
 * this read considered exist now; held-back bytes alone do not make `more` true.
 *
 * @example
 * let read = readStream(paths.stdout, cap, { maxBytes: 16384, raw: false });
 * read = readStream(paths.stdout, cap, { offset: read.next_offset, maxBytes: 16384, raw: false });
 */
export function readStream(path: string, cap: number, options: ReadOptions): StreamText {
  return withStreamFile(path, emptyRead, (fd) => readOpen(fd, cap, options));
}

function readOpen(fd: number, cap: number, options: ReadOptions): StreamText {
  const before = windowOf(fd, cap);
  const requested = options.offset ?? before.dropped;
  if (requested >= before.size) {
    const end = before.size;
    return { text: '', start: end, next_offset: end, ...before, more: false, skipped: 0 };
  }
  const from = Math.max(requested, before.dropped);
  // At least one whole character, so a tiny max_bytes can never leave a reader stuck.
  let bytes = readAt(fd, from, Math.min(before.size - from, Math.max(options.maxBytes, 4)));
  const readEnd = from + bytes.length;

  // The job may have written on while we read, moving the window (and punched holes) past
  // `from`: what fell below the window may read as zeros, so it is cut.
  const after = windowOf(fd, cap);
  let start = Math.min(Math.max(from, after.dropped), readEnd);
  bytes = bytes.subarray(start - from);
  let skipped = 0;
  if (start > (options.offset ?? 0)) {
    // The window, not the caller, chose this start; it may fall inside a character, or a line.
    skipped = options.wholeLines ? toLineStart(fd, start, bytes) : leadingContinuationBytes(bytes);
    bytes = bytes.subarray(skipped);
    start += skipped;
  }
  const moreAfter = readEnd < after.size;
  const lastNewline = bytes.lastIndexOf(0x0a);
  if (options.wholeLines && moreAfter && lastNewline !== -1) {
    bytes = bytes.subarray(0, lastNewline + 1);
  }
  // A page boundary can split a character too; only the end of a finished stream cannot wait.
  if (moreAfter || !options.final) {
    bytes = bytes.subarray(0, bytes.length - heldBack(bytes, options.raw, moreAfter));
  }
  return {
    text: toModelText(bytes, options.raw),
    start,
    next_offset: start + bytes.length,
    size: after.size,
    dropped: after.dropped,
    more: moreAfter,
    skipped,
  };
}

// How many bytes of a page starting at START (cut there by the cap) to skip to reach a line
// start: none if the byte before is a newline, else up to the page's first newline, else
// only a partial character.
function toLineStart(fd: number, start: number, bytes: Buffer): number {
  if (start > 0 && readAt(fd, start - 1, 1)[0] === 0x0a) return 0;
  const newline = bytes.indexOf(0x0a);
  return newline === -1 ? leadingContinuationBytes(bytes) : newline + 1;
}

// Bytes at the end of a read to leave for the next one: a partial character, or for model
// text a partial escape sequence, but never a whole read that has more after it.
function heldBack(bytes: Buffer, raw: boolean, moreAfter: boolean): number {
  const utf8 = incompleteUtf8Tail(bytes);
  if (raw) return utf8;
  const escape = incompleteEscapeTail(bytes);
  if (escape > utf8 && (escape < bytes.length || !moreAfter)) return escape;
  return utf8;
}

function emptyRead(): StreamText {
  return { text: '', start: 0, next_offset: 0, size: 0, dropped: 0, more: false, skipped: 0 };
}

/** How far back `tailStream` reads by default: enough for hundreds of lines, fast at any size. */
export const DEFAULT_TAIL_BYTES = 256 * 1024;
const TAIL_CHUNK = 64 * 1024;

export interface TailOptions {
  raw: boolean;
  /** Read at most this many bytes back from the end. Default `DEFAULT_TAIL_BYTES`. */
  maxBytes?: number | undefined;
  /** The stream is complete: do not hold back a trailing partial character. */
  final?: boolean | undefined;
}

export interface StreamTail {
  text: string;
  /** The lines asked for reach further back than `maxBytes`: the first line is cut. */
  truncated: boolean;
}

/**
 * The last `lines` lines of the kept window. A last line without a trailing newline counts as
 * a line. Reads backward from the end in chunks, never more than `maxBytes`, so a huge stream
 * with no newline answers as fast as a small one.
 *
 * @example
 * tailStream(paths.stderr, cap, 20, { raw: false }); // { text: '…last 20 lines…', truncated: false }
 */
export function tailStream(
  path: string,
  cap: number,
  lines: number,
  options: TailOptions,
): StreamTail {
  return withStreamFile(
    path,
    () => ({ text: '', truncated: false }),
    (fd) => tailOpen(fd, cap, lines, options),
  );
}

function tailOpen(fd: number, cap: number, lines: number, options: TailOptions): StreamTail {
  if (lines < 1) return { text: '', truncated: false };
  const { size, dropped } = windowOf(fd, cap);
  const limit = Math.max(dropped, size - (options.maxBytes ?? DEFAULT_TAIL_BYTES));
  const found = lastLines(fd, limit, size, lines);
  let start = found.start ?? limit;
  let bytes = found.bytes;

  const after = windowOf(fd, cap);
  if (after.dropped > start) {
    // Written and punched while we read: cut what left the window.
    bytes = bytes.subarray(Math.min(after.dropped - start, bytes.length));
    start = after.dropped;
  }
  if (start > 0 && (found.start === undefined || start > found.start)) {
    // Not at a line start, so perhaps inside a character.
    bytes = bytes.subarray(leadingContinuationBytes(bytes));
  }
  if (!options.final) bytes = bytes.subarray(0, bytes.length - incompleteUtf8Tail(bytes));
  return {
    text: toModelText(bytes, options.raw),
    truncated: found.start === undefined && limit > dropped,
  };
}

/**
 * Finds where the last `lines` lines of `[limit, end)` start, reading backward. `start` is
 * undefined when `limit` came first; `bytes` is everything from the start (or limit) to `end`.
 */
function lastLines(
  fd: number,
  limit: number,
  end: number,
  lines: number,
): { start: number | undefined; bytes: Buffer } {
  const chunks: Buffer[] = [];
  let needed = lines;
  for (let pos = end; pos > limit;) {
    const from = Math.max(limit, pos - TAIL_CHUNK);
    const chunk = readAt(fd, from, pos - from);
    chunks.unshift(chunk);
    for (
      let i = chunk.lastIndexOf(0x0a);
      i !== -1;
      i = i > 0 ? chunk.lastIndexOf(0x0a, i - 1) : -1
    ) {
      // The newline that ends the last line separates it from nothing.
      if (from + i === end - 1) continue;
      if (--needed === 0) {
        chunks[0] = chunk.subarray(i + 1);
        return { start: from + i + 1, bytes: Buffer.concat(chunks) };
      }
    }
    pos = from;
  }
  return { start: undefined, bytes: Buffer.concat(chunks) };
}
