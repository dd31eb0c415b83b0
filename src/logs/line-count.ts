import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

import { z } from 'zod';

import { isMissing } from './window.js';

/**
 * How many lines a capped stream had below an offset, so that `search` numbers lines from the
 * job's real first line after the oldest output was dropped. The capper counts the newlines of
 * what it is about to punch out and records the count beside the stream (`<stream>.lines`,
 * written atomically) before it punches, so the count always covers the bytes that are gone;
 * the bytes between the recorded offset and the kept window are still on disk and are counted
 * when asked.
 */

const CHUNK = 1024 * 1024;
const BLOCK = 4096;
/**
 * The most one punch counts. Freeing disk must not wait on counting: a job that writes faster
 * than this per check (a flood: `yes` writes hundreds of MB/s) has its lines left uncounted
 * for good, and search says its numbering is relative.
 */
export const MAX_COUNT_BYTES = 16 * 1024 * 1024;

const countSchema = z.object({
  /** Bytes below this offset are counted. */
  offset: z.number().int().nonnegative(),
  /** Newlines in `[0, offset)`; null when they can no longer be counted (punched uncounted). */
  lines: z.number().int().nonnegative().nullable(),
});
type LineCount = z.infer<typeof countSchema>;

export function lineCountPath(stream: string): string {
  return `${stream}.lines`;
}

/** The recorded count of STREAM; none recorded means nothing was counted (offset 0). */
export function readLineCount(stream: string): LineCount {
  try {
    return countSchema.parse(JSON.parse(readFileSync(lineCountPath(stream), 'utf8')));
  } catch (error) {
    if (isMissing(error)) return { offset: 0, lines: 0 };
    // A count that cannot be read cannot be trusted: numbering becomes relative.
    return { offset: 0, lines: null };
  }
}

function writeLineCount(stream: string, count: LineCount): void {
  const path = lineCountPath(stream);
  writeFileSync(`${path}.tmp`, JSON.stringify(count), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/**
 * Records the newlines of `[0, upTo)` before that prefix is punched out, counting only what
 * the last record did not cover. A prefix already punched without a count (a job from an
 * older bgjobs) is recorded as uncountable. Returns the offset below which punching is safe.
 */
export async function countBeforePunch(stream: string, upTo: number): Promise<void> {
  const known = readLineCount(stream);
  if (upTo <= known.offset) return;
  const handle = await open(stream, 'r');
  try {
    let lines = known.lines;
    if (known.offset === 0 && lines !== null && (await hasHoles(handle))) lines = null;
    if (upTo - known.offset > MAX_COUNT_BYTES) lines = null;
    if (lines !== null) lines += await countNewlines(handle, known.offset, upTo);
    writeLineCount(stream, { offset: upTo, lines });
  } finally {
    await handle.close();
  }
}

// A stream is written in order and never sparse, so fewer blocks on disk than its length
// means a prefix was punched out; when nothing counted it first, its lines are lost for good.
async function hasHoles(handle: FileHandle): Promise<boolean> {
  const { size, blocks } = await handle.stat();
  return blocks * 512 + 2 * BLOCK < size;
}

/**
 * How many lines of STREAM lie wholly below `offset` (the start of the kept window), or
 * undefined when that can no longer be known. Retries when the capper moved on meanwhile.
 *
 * @example
 * await linesBelow(paths.stdout, handle, window.dropped); // 120000: the first kept line is 120001
 */
export async function linesBelow(
  stream: string,
  handle: FileHandle,
  offset: number,
): Promise<number | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const known = readLineCount(stream);
    if (known.lines === null || known.offset > offset) return undefined;
    // Punched, yet nothing recorded: a bgjobs that did not count punched it.
    if (known.offset === 0 && (await hasHoles(handle))) return undefined;
    const counted = known.lines + (await countNewlines(handle, known.offset, offset));
    const after = readLineCount(stream);
    // Punched while we counted: what we read may have been zeros. Count again.
    if (after.offset === known.offset && after.lines === known.lines) return counted;
  }
  return undefined;
}

async function countNewlines(handle: FileHandle, from: number, to: number): Promise<number> {
  // One buffer per count, not one per chunk: a flood must not grow the daemon.
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(0, to - from)));
  let count = 0;
  for (let pos = from; pos < to;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (bytesRead === 0) break;
    count += newlinesIn(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return count;
}

/** Newlines in BYTES, four at a time (a loop over bytes, or indexOf per newline, is 3-9× slower). */
export function newlinesIn(bytes: Buffer): number {
  // Words must be aligned: bytes before the first whole word, and after the last, one by one.
  const head = Math.min((4 - (bytes.byteOffset % 4)) % 4, bytes.length);
  const words = Math.floor((bytes.length - head) / 4);
  let count = 0;
  for (let i = 0; i < head; i++) if (bytes[i] === 0x0a) count++;
  const view =
    words > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + head, words) : new Uint32Array();
  for (let i = 0; i < view.length; i++) {
    // A byte of x is zero where the word had a newline; only there is its high bit set in z.
    const x = (view[i] ?? 0) ^ 0x0a0a0a0a;
    const z = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
    count += Math.imul((z >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  for (let i = head + words * 4; i < bytes.length; i++) if (bytes[i] === 0x0a) count++;
  return count;
}
