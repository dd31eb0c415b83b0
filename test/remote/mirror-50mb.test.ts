// Proves: a remote job's output is mirrored into the job's folder byte-exact (50 MB on stdout,
// stderr beside it), at the same offsets as on the worker; with a smaller cap the folder keeps
// exactly the last cap bytes, as a local job's does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { useRemote } from './fixture.js';

const LINES = 6_500_000; // `seq 1 6500000` is 51,388,895 bytes
const expected = execFileSync('seq', ['1', String(LINES)], { maxBuffer: 64 * 1024 * 1024 });

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function readRange(path: string, from: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, from);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

describe('output mirroring', () => {
  const remote = useRemote();

  it('mirrors 50 MB byte-exact', async () => {
    await remote.worker({ name: 'w1', labels: ['big'] });
    const id = await remote.daemon.submit({
      label: 'big',
      command: `seq 1 ${LINES}; echo done >&2`,
      maxOutputBytes: 64 * 1024 * 1024,
    });
    const end = await remote.daemon.waitEnd(id, 120_000);
    expect(end.exitCode).toBe(0);
    expect(end.error).toBeNull();
    const stdout = readFileSync(join(remote.daemon.dirOf(id), 'stdout'));
    expect(stdout.length).toBe(expected.length);
    expect(sha(stdout)).toBe(sha(expected));
    expect(readFileSync(join(remote.daemon.dirOf(id), 'stderr'), 'utf8')).toBe('done\n');
  });

  it('keeps exactly the last cap bytes past the cap, at the same offsets', async () => {
    await remote.worker({ name: 'w1', labels: ['big'] });
    const cap = 4 * 1024 * 1024;
    const id = await remote.daemon.submit({
      label: 'big',
      command: `seq 1 ${LINES}`,
      maxOutputBytes: cap,
    });
    expect((await remote.daemon.waitEnd(id, 120_000)).exitCode).toBe(0);
    const path = join(remote.daemon.dirOf(id), 'stdout');
    expect(statSync(path).size).toBe(expected.length);
    const kept = readRange(path, expected.length - cap, cap);
    expect(sha(kept)).toBe(sha(expected.subarray(expected.length - cap)));
  });
});
