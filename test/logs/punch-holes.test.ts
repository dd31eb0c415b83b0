// Proves: punching the dropped prefix really frees disk blocks (st_blocks shrinks to about the
// cap) while the apparent size and every offset stay; reads of the window stay exact after
// punching, and while a job appends concurrently no byte of the window is lost or zeroed;
// fallocate runs only for whole new blocks; a filesystem or system that cannot punch holes is
// reported once and never crashes anything; the capper's loop punches on its own, makes one
// last punch on untrack, survives failures, and stops idempotently.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import type { BgError } from '../../src/api/errors.js';
import { alignDown, diskUsage, OutputCapper, punchDropped } from '../../src/logs/cap.js';
import { readStream } from '../../src/logs/reader.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();
const MiB = 1024 ** 2;

/** `count` numbered 16-byte lines starting at `from`: any lost or zeroed byte shows. */
function lines(from: number, count: number): Buffer {
  let text = '';
  for (let i = from; i < from + count; i++) text += `${String(i).padStart(15, '0')}\n`;
  return Buffer.from(text);
}

function writeLines(path: string, count: number): Buffer {
  const content = lines(0, count);
  writeFileSync(path, content);
  return content;
}

/** A stand-in fallocate that logs each call and fails the way `stderr` says. */
function fakeFallocate(stderr: string): { tool: string; calls: () => number } {
  const log = join(dir(), 'calls');
  const tool = join(dir(), 'fallocate');
  writeFileSync(tool, `#!/bin/sh\necho "$*" >> '${log}'\necho '${stderr}' >&2\nexit 1\n`);
  chmodSync(tool, 0o755);
  const calls = (): number => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  return { tool, calls };
}

function collect(): { errors: BgError[]; onError: (error: BgError) => void } {
  const errors: BgError[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

describe('punchDropped', () => {
  it('frees the blocks of the dropped prefix and keeps size, offsets and the window', async () => {
    const path = join(dir(), 'stdout');
    const content = writeLines(path, MiB / 2); // 8 MiB of real data
    const cap = MiB;
    expect(diskUsage(path)).toBeGreaterThanOrEqual(8 * MiB);

    const { errors, onError } = collect();
    const punched = await punchDropped(path, cap, 0, { onError, unsupported: new Set() });
    expect(errors).toEqual([]);
    expect(punched).toBe(alignDown(content.length - cap));
    expect(statSync(path).size).toBe(content.length);
    expect(diskUsage(path)).toBeLessThan(cap + 64 * 1024);
    // The prefix is really gone: it reads as zeros now.
    expect(
      readFileSync(path)
        .subarray(0, punched)
        .every((byte) => byte === 0),
    ).toBe(true);

    const window = readStream(path, cap, { maxBytes: MiB, raw: true, final: true });
    expect(window.start).toBe(content.length - cap);
    expect(window.text).toBe(content.subarray(content.length - cap).toString());
  });

  it('runs fallocate only when a whole new block can go', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, Buffer.alloc(3 * 4096 + 100, 'a'));
    const fake = fakeFallocate('must not run');
    const { errors, onError } = collect();
    const options = { onError, unsupported: new Set<number>(), fallocate: fake.tool };
    // 4196 bytes over the cap: one whole block could go, but not when it is already punched.
    expect(await punchDropped(path, 2 * 4096, 4096, options)).toBe(4096);
    expect(await punchDropped(path, 3 * 4096, 0, options)).toBe(0);
    expect(await punchDropped(join(dir(), 'missing'), 0, 0, options)).toBe(0);
    expect(fake.calls()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reports a filesystem without punch-hole support once and stops trying', async () => {
    const path = join(dir(), 'stdout');
    writeLines(path, 4096);
    const fake = fakeFallocate('fallocate: fallocate failed: Operation not supported');
    const { errors, onError } = collect();
    const options = { onError, unsupported: new Set<number>(), fallocate: fake.tool };
    expect(await punchDropped(path, 4096, 0, options)).toBe(0);
    expect(await punchDropped(path, 4096, 0, options)).toBe(0);
    expect(fake.calls()).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/cannot punch holes .*Operation not supported/);
  });

  it('reports a missing fallocate once instead of throwing', async () => {
    const path = join(dir(), 'stdout');
    writeLines(path, 4096);
    const { errors, onError } = collect();
    const options = {
      onError,
      unsupported: new Set<number>(),
      fallocate: join(dir(), 'no-such-tool'),
    };
    expect(await punchDropped(path, 4096, 0, options)).toBe(0);
    expect(await punchDropped(path, 4096, 0, options)).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/Install util-linux/);
  });

  it('loses no byte of the window while a job appends during punching', async () => {
    const path = join(dir(), 'stdout');
    const cap = 256 * 1024;
    const batches = 200;
    const perBatch = 2048; // lines, 32 KiB per batch: 6.25 MiB in all
    // A separate writer process appending with O_APPEND, like a job's shell redirection.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a');
         let n = 0;
         const batch = () => { let s = ''; for (let i = 0; i < ${perBatch}; i++) s += String(n++).padStart(15, '0') + '\\n'; return s; };
         (function next(left) { if (left === 0) return fs.closeSync(fd); fs.writeSync(fd, batch()); setTimeout(next, 1, left - 1); })(${batches});`,
        path,
      ],
      { stdio: 'inherit' },
    );
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    let running = true;
    void exited.then(() => (running = false));

    const { errors, onError } = collect();
    let punched = 0;
    let punches = 0;
    while (running) {
      const next = await punchDropped(path, cap, punched, { onError, unsupported: new Set() });
      if (next > punched) punches++;
      punched = next;
      // Reading while punching never yields a zeroed byte.
      const read = readStream(path, cap, { maxBytes: 64 * 1024, raw: true });
      expect(read.text.includes('\0')).toBe(false);
    }
    expect(await exited).toBe(0);
    await punchDropped(path, cap, punched, { onError, unsupported: new Set() });

    const expected = lines(0, batches * perBatch);
    const size = statSync(path).size;
    expect(size).toBe(expected.length);
    expect(punches).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    expect(diskUsage(path)).toBeLessThan(cap + 64 * 1024);
    const window = readStream(path, cap, { maxBytes: cap, raw: true, final: true });
    expect(window.start).toBe(size - cap);
    expect(Buffer.from(window.text).equals(expected.subarray(size - cap))).toBe(true);
  });
});

describe('OutputCapper', () => {
  it('punches tracked files on its own, once more on untrack, and stops idempotently', async () => {
    const path = join(dir(), 'stdout');
    const cap = 64 * 1024;
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, lines(0, 4096)); // 64 KiB: nothing to drop yet
      const { errors, onError } = collect();
      const capper = new OutputCapper({ intervalMs: 10, minPunchBytes: 0, onError });
      capper.start();
      capper.start();
      capper.track('job1', [path, join(dir(), 'stderr-never-written')], cap);
      writeSync(fd, lines(4096, 65536)); // +1 MiB
      await until(() => diskUsage(path) < cap + 64 * 1024, 'the capper to punch');

      // The job writes its last MiB and ends before the loop looks again (no await between):
      // only the last punch of untrack can free it.
      writeSync(fd, lines(69632, 65536));
      capper.untrack('job1');
      await Promise.all([capper.stop(), capper.stop()]);
      await capper.stop();
      expect(statSync(path).size).toBe(lines(0, 69632 + 65536).length);
      expect(diskUsage(path)).toBeLessThan(cap + 64 * 1024);
      expect(errors).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });

  it('makes a last punch on untrack even when the loop never ran', async () => {
    const path = join(dir(), 'stdout');
    writeLines(path, 65536);
    const capper = new OutputCapper({ onError: () => undefined });
    capper.track('job1', [path], 4096);
    capper.untrack('job1');
    await capper.stop();
    expect(diskUsage(path)).toBeLessThan(64 * 1024);
  });

  it('keeps running through failures and reports each one once', async () => {
    const path = join(dir(), 'stdout');
    writeLines(path, 65536);
    const fake = fakeFallocate('fallocate: something went wrong');
    let reports = 0;
    const capper = new OutputCapper({
      intervalMs: 5,
      minPunchBytes: 0,
      punch: { fallocate: fake.tool, unsupported: new Set() },
      onError: () => {
        reports++;
        throw new Error('a broken reporter');
      },
    });
    capper.track('job1', [path], 4096);
    capper.start();
    await until(() => fake.calls() >= 5, 'several checks');
    await capper.checkNow();
    await capper.stop();
    expect(reports).toBe(1);
  });

  it('counts a missing file as using no disk', () => {
    expect(diskUsage(join(dir(), 'nope'))).toBe(0);
  });
});
