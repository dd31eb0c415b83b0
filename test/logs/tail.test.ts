// Proves: tail returns the last N lines of the kept window, a last line without a newline
// counting as a line; it reads backward at most maxBytes, so a 1 TiB stream with no newline
// (which no test could read whole) answers with bounded text and `truncated`; it never shows
// dropped bytes. How fast a tail is at any size is a figure for `npm run bench`.
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { tailStream } from '../../src/logs/reader.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();
const BIG_CAP = 4 * 1024 ** 3;

function numbered(count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${i + 1}\n`).join('');
}

describe('tailStream', () => {
  it('returns the last N lines', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, numbered(100));
    expect(tailStream(path, BIG_CAP, 3, { raw: false })).toEqual({
      text: 'line 98\nline 99\nline 100\n',
      truncated: false,
    });
    expect(tailStream(path, BIG_CAP, 1, { raw: false }).text).toBe('line 100\n');
  });

  it('counts a last line without a trailing newline as a line', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'one\ntwo\nthree\nPassword: ');
    expect(tailStream(path, BIG_CAP, 2, { raw: false }).text).toBe('three\nPassword: ');
    expect(tailStream(path, BIG_CAP, 1, { raw: false }).text).toBe('Password: ');
  });

  it('returns everything when there are fewer lines than asked, and nothing for a missing file', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'a\n\nb\n');
    expect(tailStream(path, BIG_CAP, 10, { raw: false })).toEqual({
      text: 'a\n\nb\n',
      truncated: false,
    });
    expect(tailStream(join(dir(), 'nope'), BIG_CAP, 10, { raw: false })).toEqual({
      text: '',
      truncated: false,
    });
    writeFileSync(path, '');
    expect(tailStream(path, BIG_CAP, 10, { raw: false })).toEqual({ text: '', truncated: false });
  });

  it('finds lines across its backward read chunks', () => {
    const path = join(dir(), 'stdout');
    const long = 'x'.repeat(100_000);
    writeFileSync(path, `first\n${long}\nlast\n`);
    expect(tailStream(path, BIG_CAP, 2, { raw: false, maxBytes: 1024 ** 2 })).toEqual({
      text: `${long}\nlast\n`,
      truncated: false,
    });
  });

  it('stays inside the kept window of a capped stream', () => {
    const path = join(dir(), 'stdout');
    const content = numbered(1000);
    writeFileSync(path, content);
    const cap = 50;
    const tail = tailStream(path, cap, 100, { raw: false });
    expect(tail.text).toBe(content.slice(-cap));
    expect(tail.truncated).toBe(false);
  });

  it('cleans model text and keeps raw text', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'build\n\x1b[32m10%\r100%\x1b[0m\n');
    expect(tailStream(path, BIG_CAP, 1, { raw: false }).text).toBe('100%\n');
    expect(tailStream(path, BIG_CAP, 1, { raw: true }).text).toBe('\x1b[32m10%\r100%\x1b[0m\n');
  });

  it('marks a tail cut by maxBytes as truncated and starts it on a whole character', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, `head\n${'€'.repeat(1000)}\n`);
    const tail = tailStream(path, BIG_CAP, 1, { raw: false, maxBytes: 98 });
    expect(tail.truncated).toBe(true);
    expect(tail.text).toBe(`${'€'.repeat(32)}\n`);
  });

  it('answers bounded for a 1 TiB stream with no newline, reading only its end', () => {
    const path = join(dir(), 'stdout');
    // Sparse: a whole read (terabyte of zeros) would outlast the test's time limit many times.
    const size = 1024 ** 4;
    const fd = openSync(path, 'w');
    try {
      // The last MiB is real text without a newline.
      ftruncateSync(fd, size);
      writeSync(fd, Buffer.alloc(1024 ** 2, 'x'), 0, 1024 ** 2, size - 1024 ** 2);
    } finally {
      closeSync(fd);
    }
    const maxBytes = 256 * 1024;
    for (let i = 0; i < 9; i++) {
      const tail = tailStream(path, size, 20, { raw: false, maxBytes });
      expect(tail.truncated).toBe(true);
      expect(tail.text).toBe('x'.repeat(maxBytes));
    }
  });
});
