import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * A capped stream's kept window. Offsets are absolute (offset N is the N-th byte the job wrote)
 * and never shift; the file keeps growing, and the bytes below `dropped` are no longer kept
 * (their blocks may have been punched out, so they read as zeros).
 */
export interface KeptWindow {
  /** Bytes written so far: the file's apparent length. */
  size: number;
  /** Bytes below this offset are gone: `max(0, size - cap)`. */
  dropped: number;
}

export function keptWindow(size: number, cap: number): KeptWindow {
  return { size, dropped: Math.max(0, size - cap) };
}

/** Runs `use` with a read-only descriptor, or returns `missing()` if the file does not exist. */
export function withStreamFile<T>(path: string, missing: () => T, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (isMissing(error)) return missing();
    throw error;
  }
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Async twin of `withStreamFile`, for long scans that should let the event loop breathe. */
export async function withStreamHandle<T>(
  path: string,
  missing: () => T,
  use: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return missing();
    throw error;
  }
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

export function windowOf(fd: number, cap: number): KeptWindow {
  return keptWindow(fstatSync(fd).size, cap);
}

/** Reads `[position, position + length)`, fewer bytes only at the end of the file. */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < buf.length) {
    const n = readSync(fd, buf, filled, buf.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buf.subarray(0, filled);
}

/** Async twin of `readAt`. */
export async function readAtAsync(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
