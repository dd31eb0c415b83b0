import { closeSync, constants, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { punchDropped } from '../../logs/cap.js';
import type { OutputStream } from '../wire.js';

/** Punch the dropped prefix once this many bytes were written since the last punch. */
const PUNCH_EVERY_BYTES = 1024 * 1024;

/**
 * A remote job's output files in its folder on the daemon's machine. Each chunk from Redis is
 * written at the byte offset it had on the worker, so the files hold the same bytes at the
 * same offsets as the worker's (a chunk that comes twice lands on itself), and every reader
 * (output, tail, search, wait, readiness) reads them as it reads a local job's. Bytes below
 * the job's cap were never sent: there the file has a hole, as a capped local file has.
 */
export class OutputMirror {
  private readonly fds = new Map<OutputStream, number>();
  private readonly punched = new Map<OutputStream, number>();
  private readonly sincePunch = new Map<OutputStream, number>();
  private readonly dir: string;
  private readonly cap: number;
  private readonly base: { stdout: number; stderr: number };

  /** BASE: where this run's bytes start in each file (after earlier attempts' output). */
  constructor(dir: string, cap: number, base = { stdout: 0, stderr: 0 }) {
    this.dir = dir;
    this.cap = cap;
    this.base = base;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Readers expect both files from the start, as the monitor creates them for a local job.
    for (const stream of ['stdout', 'stderr'] as const) this.fd(stream);
  }

  path(stream: OutputStream): string {
    return join(this.dir, stream);
  }

  /** Writes one chunk at its offset. */
  write(stream: OutputStream, offset: number, data: Buffer): void {
    const fd = this.fd(stream);
    let done = 0;
    const at = this.base[stream] + offset;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, at + done);
    this.sincePunch.set(stream, (this.sincePunch.get(stream) ?? 0) + data.length);
  }

  size(stream: OutputStream): number {
    return fstatSync(this.fd(stream)).size;
  }

  /** Frees the disk blocks below the cap, when enough was written since the last time. */
  async punch(force = false): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (!force && (this.sincePunch.get(stream) ?? 0) < PUNCH_EVERY_BYTES) continue;
      this.sincePunch.set(stream, 0);
      const next = await punchDropped(this.path(stream), this.cap, this.punched.get(stream) ?? 0);
      this.punched.set(stream, next);
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private fd(stream: OutputStream): number {
    let fd = this.fds.get(stream);
    if (fd === undefined) {
      // Not O_APPEND: a positioned write must land at its offset.
      fd = openSync(this.path(stream), constants.O_WRONLY | constants.O_CREAT, 0o600);
      this.fds.set(stream, fd);
    }
    return fd;
  }
}
