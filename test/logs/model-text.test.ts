// Proves: output decodes leniently (invalid UTF-8 → U+FFFD, never a throw); model text has no
// terminal escapes (CSI incl. private modes, OSC ended by BEL or ST, charset selects, one-char
// escapes), shows \r progress lines as a terminal finally would, and has no other controls;
// raw text is untouched; the cut helpers find partial characters and escapes at chunk edges.
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  incompleteEscapeTail,
  incompleteUtf8Tail,
  leadingContinuationBytes,
  toModelText,
} from '../../src/logs/text.js';

const text = (s: string | Buffer): string => toModelText(Buffer.from(s), false);

describe('toModelText', () => {
  it('turns invalid UTF-8 into U+FFFD and never throws', () => {
    expect(toModelText(Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0x0a]), false)).toBe(
      'a\uFFFDb\uFFFD(\n',
    );
    expect(toModelText(Buffer.from([0xe2, 0x82]), true)).toBe('\uFFFD');
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(512);
      expect(() => toModelText(bytes, false)).not.toThrow();
      expect(() => toModelText(bytes, true)).not.toThrow();
    }
  });

  it('strips CSI sequences, including private modes and cursor moves', () => {
    expect(text('\x1b[1;32mPASS\x1b[0m a.test.ts\n')).toBe('PASS a.test.ts\n');
    expect(text('\x1b[?25lhidden cursor\x1b[?25h\n')).toBe('hidden cursor\n');
    expect(text('\x1b[2K\x1b[1Gline\x1b[3A\x1b[>4;2m\n')).toBe('line\n');
  });

  it('strips OSC strings ended by BEL or by ST, and other strings', () => {
    expect(text('\x1b]0;my title\x07after\n')).toBe('after\n');
    expect(text('\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\\n')).toBe('link\n');
    expect(text('\x1bPq#0;2;0;0;0\x1b\\x\n')).toBe('x\n');
  });

  it('strips charset selects and one-character escapes', () => {
    expect(text('\x1b(Bplain\x1b)0\x1b7saved\x1b8\x1bM\x1b=\x1b>\x1bc\n')).toBe('plainsaved\n');
  });

  it('collapses \\r progress lines to their last state', () => {
    expect(text('10%\r50%\r100%\n')).toBe('100%\n');
    expect(text('a\r\nb\r\n')).toBe('a\nb\n');
    expect(text('start\n10%\r50%\r')).toBe('start\n50%');
    expect(text('\rdone\n\r\n')).toBe('done\n\n');
    expect(text('\x1b[2K\rDownloading 1/3\x1b[2K\rDownloading 3/3\nok\n')).toBe(
      'Downloading 3/3\nok\n',
    );
  });

  it('drops other control characters but keeps tabs and newlines', () => {
    expect(text('a\x07b\x08c\x00d\te\x0bf\x7f\u0085g\n')).toBe('abcd\tefg\n');
    expect(text('lone escape \x1b\n')).toBe('lone escape \n');
  });

  it('keeps everything in raw mode', () => {
    const raw = '\x1b[31mred\x1b[0m 10%\r100%\n\x07';
    expect(toModelText(Buffer.from(raw), true)).toBe(raw);
  });

  it('keeps printable Unicode', () => {
    expect(text('héllo wörld — 日本語 🚀\n')).toBe('héllo wörld — 日本語 🚀\n');
  });
});

describe('chunk edges', () => {
  const euro = Buffer.from('€'); // e2 82 ac
  const rocket = Buffer.from('🚀'); // f0 9f 9a 80

  it('finds a character cut at the end of a chunk', () => {
    expect(incompleteUtf8Tail(Buffer.from('abc'))).toBe(0);
    expect(incompleteUtf8Tail(euro)).toBe(0);
    expect(incompleteUtf8Tail(euro.subarray(0, 1))).toBe(1);
    expect(incompleteUtf8Tail(Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]))).toBe(2);
    expect(incompleteUtf8Tail(rocket.subarray(0, 3))).toBe(3);
    expect(incompleteUtf8Tail(rocket)).toBe(0);
    expect(incompleteUtf8Tail(Buffer.from([0x80, 0x80, 0x80, 0x80]))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.alloc(0))).toBe(0);
  });

  it('finds continuation bytes at the start of a chunk', () => {
    expect(leadingContinuationBytes(euro.subarray(1))).toBe(2);
    expect(leadingContinuationBytes(rocket.subarray(1))).toBe(3);
    expect(leadingContinuationBytes(euro)).toBe(0);
    expect(leadingContinuationBytes(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x61]))).toBe(3);
  });

  it('finds an escape sequence cut at the end of a chunk', () => {
    expect(incompleteEscapeTail(Buffer.from('red \x1b'))).toBe(1);
    expect(incompleteEscapeTail(Buffer.from('red \x1b[3'))).toBe(3);
    expect(incompleteEscapeTail(Buffer.from('red \x1b[?25'))).toBe(5);
    expect(incompleteEscapeTail(Buffer.from('x\x1b]0;title'))).toBe(9);
    expect(incompleteEscapeTail(Buffer.from('x\x1b('))).toBe(2);
    expect(incompleteEscapeTail(Buffer.from('red \x1b[31m'))).toBe(0);
    expect(incompleteEscapeTail(Buffer.from('x\x1b]0;title\x07'))).toBe(0);
    expect(incompleteEscapeTail(Buffer.from('x\x1b7'))).toBe(0);
    expect(incompleteEscapeTail(Buffer.from('x\x1b[3\nmore'))).toBe(0);
    expect(incompleteEscapeTail(Buffer.from(`\x1b[${'1;'.repeat(200)}`))).toBe(0);
  });
});
