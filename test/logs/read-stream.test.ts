// Proves: reads are bounded and page by absolute offsets that resume exactly where they left
// off; a capped stream reads only its kept window and reports `dropped`; an offset below the
// window starts at it, one past the end is clamped; a missing file reads as empty; a UTF-8
// character or escape split by a read boundary or by the job's last write is never mangled;
// with wholeLines, a page with more after it ends at its last newline (a page without one is
// whole), a page the cap made start inside a line starts at the next line and says how many
// bytes it skipped, and a last line without a newline (a prompt) is still returned.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readStream, type StreamText } from '../../src/logs/reader.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();
const BIG_CAP = 1024 ** 3;

function lines(from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += `line ${String(i).padStart(5, '0')}\n`;
  return out;
}

/** Reads pages of `maxBytes` from `offset` until nothing more comes. */
function readAll(
  path: string,
  cap: number,
  maxBytes: number,
  offset?: number,
  raw = false,
): { text: string; pages: StreamText[] } {
  const pages: StreamText[] = [];
  let next = offset;
  for (;;) {
    const page = readStream(path, cap, { offset: next, maxBytes, raw, final: true });
    pages.push(page);
    if (!page.more) break;
    expect(page.next_offset).toBeGreaterThan(page.start);
    next = page.next_offset;
  }
  return { text: pages.map((p) => p.text).join(''), pages };
}

describe('readStream', () => {
  it('reads a missing file as empty', () => {
    const read = readStream(join(dir(), 'nope'), BIG_CAP, {
      offset: 100,
      maxBytes: 10,
      raw: false,
    });
    expect(read).toEqual({
      text: '',
      start: 0,
      next_offset: 0,
      size: 0,
      dropped: 0,
      more: false,
      skipped: 0,
    });
  });

  it('pages through a stream with offsets that chain and never exceed maxBytes', () => {
    const path = join(dir(), 'stdout');
    const content = lines(0, 1000);
    writeFileSync(path, content);
    const { text, pages } = readAll(path, BIG_CAP, 1000);
    expect(text).toBe(content);
    expect(pages.length).toBe(Math.ceil(content.length / 1000));
    for (const [i, page] of pages.entries()) {
      expect(page.next_offset - page.start).toBeLessThanOrEqual(1000);
      expect(page.size).toBe(content.length);
      expect(page.dropped).toBe(0);
      if (i > 0) expect(page.start).toBe(pages[i - 1]?.next_offset);
    }
    expect(pages.at(-1)?.next_offset).toBe(content.length);
  });

  it('resumes from next_offset with only what was written since', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'first\n');
    const one = readStream(path, BIG_CAP, { maxBytes: 100, raw: false });
    expect(one).toMatchObject({ text: 'first\n', start: 0, next_offset: 6, more: false });
    const none = readStream(path, BIG_CAP, { offset: one.next_offset, maxBytes: 100, raw: false });
    expect(none).toMatchObject({ text: '', start: 6, next_offset: 6, more: false });
    appendFileSync(path, 'second\nPrompt: ');
    const two = readStream(path, BIG_CAP, { offset: one.next_offset, maxBytes: 100, raw: false });
    // A prompt without a newline is visible at once.
    expect(two).toMatchObject({ text: 'second\nPrompt: ', start: 6, next_offset: 21, size: 21 });
  });

  it('clamps an offset past the end to the size', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'abc');
    const read = readStream(path, BIG_CAP, { offset: 50, maxBytes: 10, raw: false });
    expect(read).toEqual({
      text: '',
      start: 3,
      next_offset: 3,
      size: 3,
      dropped: 0,
      more: false,
      skipped: 0,
    });
  });

  it('reads only the kept window of a capped stream and reports what was dropped', () => {
    const path = join(dir(), 'stdout');
    const content = lines(0, 1000); // 11,000 bytes
    writeFileSync(path, content);
    const cap = 4000;
    const dropped = content.length - cap;

    const fromDefault = readStream(path, cap, { maxBytes: 100_000, raw: false });
    expect(fromDefault).toMatchObject({
      start: dropped,
      next_offset: content.length,
      size: content.length,
      dropped,
      more: false,
    });
    expect(fromDefault.text).toBe(content.slice(dropped));

    const fromBelow = readStream(path, cap, { offset: 10, maxBytes: 100, raw: false });
    expect(fromBelow.start).toBe(dropped);
    expect(fromBelow.text).toBe(content.slice(dropped, dropped + 100));
    expect(fromBelow.more).toBe(true);

    // A reader that kept its offset while output moved on loses only what was dropped.
    const { text } = readAll(path, cap, 999, 5000);
    expect(text).toBe(content.slice(dropped));

    // The window moves as the job writes on; offsets stay absolute.
    appendFileSync(path, lines(1000, 1100));
    const later = readStream(path, cap, {
      offset: fromDefault.next_offset,
      maxBytes: 100_000,
      raw: false,
    });
    expect(later.start).toBe(content.length);
    expect(later.text).toBe(lines(1000, 1100));
    expect(later.dropped).toBe(content.length + 1100 - cap);
  });

  it('starts a window that begins inside a character at the next whole character', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, '€'.repeat(100)); // 300 bytes
    const read = readStream(path, 100, { maxBytes: 1000, raw: false });
    expect(read.dropped).toBe(200);
    expect(read.start).toBe(201); // 200 is the middle of a character
    expect(read.text).toBe('€'.repeat(33));
  });

  it('never splits a character across reads, whatever the page size', () => {
    const path = join(dir(), 'stdout');
    const content = 'a€🚀é'.repeat(500) + '\n';
    writeFileSync(path, content);
    for (const maxBytes of [1, 2, 3, 5, 7, 1000]) {
      const { text } = readAll(path, BIG_CAP, maxBytes);
      expect(text).toBe(content);
    }
  });

  it('holds back a character the job has only half written, until it completes', () => {
    const path = join(dir(), 'stdout');
    const euro = Buffer.from('€');
    writeFileSync(path, Buffer.concat([Buffer.from('price: '), euro.subarray(0, 2)]));
    const first = readStream(path, BIG_CAP, { maxBytes: 100, raw: false });
    expect(first).toMatchObject({ text: 'price: ', next_offset: 7, size: 9, more: false });

    appendFileSync(path, Buffer.concat([euro.subarray(2), Buffer.from('5\n')]));
    const second = readStream(path, BIG_CAP, {
      offset: first.next_offset,
      maxBytes: 100,
      raw: false,
    });
    expect(second.text).toBe('€5\n');

    // Once the stream is complete nothing is held back: a broken ending shows as U+FFFD.
    writeFileSync(path, Buffer.concat([Buffer.from('cut '), euro.subarray(0, 2)]));
    const final = readStream(path, BIG_CAP, { maxBytes: 100, raw: false, final: true });
    expect(final).toMatchObject({ text: 'cut \uFFFD', next_offset: 6 });
  });

  it('holds back an escape sequence cut by the job or by the page size', () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'red: \x1b[3');
    const first = readStream(path, BIG_CAP, { maxBytes: 100, raw: false });
    expect(first).toMatchObject({ text: 'red: ', next_offset: 5 });
    appendFileSync(path, '1mRED\x1b[0m\n');
    const second = readStream(path, BIG_CAP, {
      offset: first.next_offset,
      maxBytes: 100,
      raw: false,
    });
    expect(second.text).toBe('RED\n');

    const colored = '\x1b[31mred\x1b[0m '.repeat(100);
    writeFileSync(path, colored);
    for (const maxBytes of [7, 9, 10, 64]) {
      expect(readAll(path, BIG_CAP, maxBytes).text).toBe('red '.repeat(100));
    }
  });

  it('returns escapes and carriage returns as written in raw mode', () => {
    const path = join(dir(), 'stdout');
    const content = '\x1b[32mok\x1b[0m\n10%\r100%\n';
    writeFileSync(path, content);
    expect(readStream(path, BIG_CAP, { maxBytes: 100, raw: true }).text).toBe(content);
    expect(readStream(path, BIG_CAP, { maxBytes: 100, raw: false }).text).toBe('ok\n100%\n');
  });

  it('pages whole lines when asked', () => {
    const path = join(dir(), 'stdout');
    const content = lines(0, 100) + 'Prompt: '; // 1,100 bytes of lines, then a prompt
    writeFileSync(path, content);
    const pages: StreamText[] = [];
    let offset: number | undefined;
    for (;;) {
      const page = readStream(path, BIG_CAP, {
        offset,
        maxBytes: 1000,
        raw: false,
        wholeLines: true,
      });
      pages.push(page);
      if (!page.more) break;
      offset = page.next_offset;
    }
    expect(pages.map((p) => p.text).join('')).toBe(content);
    for (const page of pages.slice(0, -1)) expect(page.text.endsWith('\n')).toBe(true);
    expect(pages[0]?.text).toBe(lines(0, 90));
    expect(pages.at(-1)?.text.endsWith('Prompt: ')).toBe(true);
    // A line longer than the page is returned in pieces rather than never.
    writeFileSync(path, `${'x'.repeat(50)}\nend\n`);
    const long = readStream(path, BIG_CAP, { maxBytes: 20, raw: false, wholeLines: true });
    expect(long).toMatchObject({ text: 'x'.repeat(20), next_offset: 20, more: true });
  });

  it('starts the first page after a dropped prefix at a line start', () => {
    const path = join(dir(), 'stdout');
    const content = lines(0, 1000); // 11,000 bytes of 11-byte lines
    writeFileSync(path, content);
    const cap = 4010; // the window starts 5 bytes into a line
    const read = readStream(path, cap, { maxBytes: 100, raw: false, wholeLines: true });
    expect(read).toMatchObject({ dropped: content.length - cap, skipped: 6, more: true });
    expect(read.start).toBe(content.length - 4004);
    expect(read.text).toBe(content.slice(content.length - 4004, content.length - 4004 + 88));
    // A window that starts at a line start skips nothing.
    const aligned = readStream(path, 4015, { maxBytes: 100, raw: false, wholeLines: true });
    expect(aligned).toMatchObject({ skipped: 0, start: content.length - 4015 });
    expect(aligned.text.startsWith('line ')).toBe(true);
  });
});
