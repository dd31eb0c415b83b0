import type { FileHandle } from 'node:fs/promises';

import type { SearchMatch } from '../api/read.js';
import { linesBelow } from './line-count.js';
import { compileSearchRegex, needsTimeBudget } from './regex.js';
import { runWithBudget } from './search-budget.js';
import { leadingContinuationBytes, toModelText } from './text.js';
import { keptWindow, readAtAsync, withStreamHandle } from './window.js';

/** Lines longer than this are matched on their first MAX_LINE_BYTES only. */
export const MAX_LINE_BYTES = 64 * 1024;
/** A line returned in a match (or its context) is cut to this many characters. */
export const MAX_SHOWN_CHARS = 2000;
const CHUNK = 64 * 1024;

export interface SearchOptions {
  ignoreCase?: boolean | undefined;
  /** Lines of context each side of a match. */
  context: number;
  maxMatches: number;
  /** Which stream this is, for the matches' `stream` field. */
  stream: SearchMatch['stream'];
  /** Match and show bytes as written (escapes kept). Default false: match what a model sees. */
  raw?: boolean | undefined;
}

export interface StreamSearch {
  matches: SearchMatch[];
  /** More lines matched than `maxMatches`. */
  truncated: boolean;
  /** Oldest bytes no longer kept, so not searched. */
  dropped: number;
  /**
   * `absolute`: line numbers count from the job's first line, dropped lines included;
   * `relative`: from the first kept line, as the dropped lines could not be counted.
   */
  lineNumbers: 'absolute' | 'relative';
}

/**
 * Finds the lines of the kept window that match `pattern`, a JavaScript regex, with `context`
 * lines each side. Line numbers count from 1 at the job's first line, the dropped lines
 * included (the capper counted them: see line-count.ts), or where that count is lost from 1 at
 * the start of the kept window (`lineNumbers: 'relative'`); `offset` is each
 * line's absolute byte offset. A pure read: it moves no read position. It streams the window in
 * chunks, holding at most one (cut) line, the context lines and the matches in memory.
 *
 * @example
 * const { matches } = await searchStream(paths.stdout, cap, 'FAIL', { context: 2, maxMatches: 50, stream: 'stdout' });
 * // matches[0]: { stream: 'stdout', line: 12, offset: 804, text: 'FAIL src/a.test.ts', before: [...], after: [...] }
 */
export async function searchStream(
  path: string,
  cap: number,
  pattern: string,
  options: SearchOptions,
): Promise<StreamSearch> {
  const regex = compileSearchRegex(pattern, { ignoreCase: options.ignoreCase });
  if (needsTimeBudget(regex)) return runWithBudget({ path, cap, pattern, options });
  return searchWithRegex(path, cap, regex, options);
}

/** The same search on this thread, whatever the pattern: for the budgeted worker. */
export function searchNow(
  path: string,
  cap: number,
  pattern: string,
  options: SearchOptions,
): Promise<StreamSearch> {
  return searchWithRegex(
    path,
    cap,
    compileSearchRegex(pattern, { ignoreCase: options.ignoreCase }),
    options,
  );
}

/** A search with a regex already compiled, on this thread: no guard, no budget (the bench's baseline). */
export function searchWithRegex(
  path: string,
  cap: number,
  regex: RegExp,
  options: SearchOptions,
): Promise<StreamSearch> {
  return withStreamHandle(
    path,
    () => ({ matches: [], truncated: false, dropped: 0, lineNumbers: 'absolute' }),
    (handle) => searchOpen(path, handle, cap, regex, options),
  );
}

async function searchOpen(
  path: string,
  handle: FileHandle,
  cap: number,
  regex: RegExp,
  options: SearchOptions,
): Promise<StreamSearch> {
  const { size, dropped } = keptWindow((await handle.stat()).size, cap);
  const below = dropped === 0 ? 0 : await linesBelow(path, handle, dropped);
  const matches: SearchMatch[] = [];
  const before: string[] = [];
  let awaitingContext: SearchMatch[] = [];
  let truncated = false;
  let number = below ?? 0;

  for await (const line of linesOf(handle, dropped, size)) {
    number++;
    const text = toModelText(line.bytes, options.raw ?? false);
    const shown = shorten(text);
    for (const match of awaitingContext) match.after.push(shown);
    awaitingContext = awaitingContext.filter((match) => match.after.length < options.context);

    if (!truncated && regex.test(text)) {
      if (matches.length === options.maxMatches) {
        truncated = true;
      } else {
        const match: SearchMatch = {
          stream: options.stream,
          line: number,
          offset: line.offset,
          text: shown,
          before: [...before],
          after: [],
        };
        matches.push(match);
        if (options.context > 0) awaitingContext.push(match);
      }
    }
    if (truncated && awaitingContext.length === 0) break;
    before.push(shown);
    if (before.length > options.context) before.shift();
  }

  // Lines that left the window while we read may have been punched to zeros: leave them out.
  const now = keptWindow((await handle.stat()).size, cap);
  return {
    matches: matches.filter((match) => match.offset >= now.dropped),
    truncated,
    dropped: now.dropped,
    lineNumbers: below === undefined ? 'relative' : 'absolute',
  };
}

interface Line {
  offset: number;
  /** The line without its newline, cut to MAX_LINE_BYTES. */
  bytes: Buffer;
}

/** The lines of `[from, to)`, read in chunks; a last line without a newline is a line too. */
async function* linesOf(handle: FileHandle, from: number, to: number): AsyncGenerator<Line> {
  if (from > 0) {
    // The window starts where bytes were dropped, perhaps inside a character.
    from += leadingContinuationBytes(await readAtAsync(handle, from, 3));
  }
  let pieces: Buffer[] = [];
  let kept = 0;
  let lineStart = from;
  for (let pos = from; pos < to;) {
    const chunk = await readAtAsync(handle, pos, Math.min(CHUNK, to - pos));
    if (chunk.length === 0) break;
    for (let i = 0; i < chunk.length;) {
      const newline = chunk.indexOf(0x0a, i);
      const end = newline === -1 ? chunk.length : newline;
      const room = MAX_LINE_BYTES - kept;
      if (room > 0) {
        const piece = chunk.subarray(i, Math.min(end, i + room));
        pieces.push(piece);
        kept += piece.length;
      }
      if (newline === -1) break;
      yield { offset: lineStart, bytes: Buffer.concat(pieces, kept) };
      pieces = [];
      kept = 0;
      lineStart = pos + newline + 1;
      i = newline + 1;
    }
    pos += chunk.length;
  }
  if (lineStart < to) yield { offset: lineStart, bytes: Buffer.concat(pieces, kept) };
}

function shorten(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}
