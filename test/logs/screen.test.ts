// Proves: renderScreen shows what a terminal of the given size would show after the bytes —
// cursor movement places text (a box drawn with CUP and DEC line drawing), later writes
// overwrite earlier ones, clear-screen clears, lines longer than the width wrap, output past
// the last row scrolls; trailing spaces and trailing empty rows are dropped; the cursor is
// marked with █ where it stands (on a blank, or before a character) and not at all when the
// program hid it; the alternate screen and application cursor keys are reported; a tail that
// starts inside a UTF-8 character shows no replacement character; readScreenFile plays only
// the tail of a stdout file, starting a cut tail at a clean place (after a line break or at an
// escape), and shows an absent file as an empty screen (the cursor alone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readScreen, readScreenFile, renderScreen } from '../../src/logs/screen.js';

import { useTempDir } from './temp-dir.js';

const ESC = '\x1b';
const bytes = (text: string) => Buffer.from(text, 'utf8');
const at = (row: number, col: number) => `${ESC}[${row};${col}H`;
const plain = { markCursor: false };

describe('renderScreen', () => {
  it('places text by cursor movement: a box drawn like a curses program', async () => {
    // DEC special graphics (ESC ( 0): l q k x m j are the corners and sides.
    const box =
      `${ESC}[2J${at(1, 1)}${ESC}(0lqqqqqqqqk${ESC}(B` +
      `${at(2, 1)}${ESC}(0x${ESC}(B${at(2, 10)}${ESC}(0x${ESC}(B` +
      `${at(3, 1)}${ESC}(0mqqqqqqqqj${ESC}(B` +
      `${at(2, 3)}hello`;
    expect(await renderScreen(bytes(box), 20, 6, plain)).toBe(
      ['┌────────┐', '│ hello  │', '└────────┘'].join('\n'),
    );
  });

  it('overwrites, clears, wraps and scrolls as a terminal does', async () => {
    expect(await renderScreen(bytes('10%\r55%\r\n'), 20, 5, plain)).toBe('55%');
    expect(await renderScreen(bytes(`old text${ESC}[2J${at(1, 1)}new`), 20, 5, plain)).toBe('new');
    expect(await renderScreen(bytes('abcdefghijkl'), 5, 4, plain)).toBe('abcde\nfghij\nkl');
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\r\n');
    expect(await renderScreen(bytes(lines), 20, 3, plain)).toBe('line 7\nline 8\nline 9');
  });

  it('trims trailing spaces and drops trailing empty rows', async () => {
    expect(await renderScreen(bytes(`a   ${at(2, 1)}  b  \r\n\r\n`), 20, 10, plain)).toBe('a\n  b');
    expect(await renderScreen(Buffer.alloc(0), 20, 10, plain)).toBe('');
  });

  it('marks the cursor where it stands, on a blank or before a character', async () => {
    expect(await renderScreen(bytes('>>> '), 20, 5)).toBe('>>> █');
    expect(await renderScreen(bytes(`one\r\ntwo${at(1, 2)}`), 20, 5)).toBe('o█ne\ntwo');
    expect(await renderScreen(bytes('prompt\r\n'), 20, 5)).toBe('prompt\n█');
    expect(await renderScreen(bytes(`${at(3, 5)}`), 20, 5)).toBe('\n\n    █');
  });

  it('does not mark a hidden cursor, and marks it again once shown', async () => {
    expect(await renderScreen(bytes(`menu${ESC}[?25l`), 20, 5)).toBe('menu');
    expect(await renderScreen(bytes(`menu${ESC}[?25l${ESC}[?25h`), 20, 5)).toBe('menu█');
  });

  it('reports the cursor, the alternate screen and application cursor keys', async () => {
    const normal = await readScreen(bytes('$ '), 20, 5);
    expect(normal).toEqual({
      text: '$ █',
      cursor: { row: 0, col: 2 },
      alternateScreen: false,
      applicationCursorKeys: false,
    });
    const fullScreen = await readScreen(
      bytes(`shell prompt${ESC}[?1049h${ESC}[?1h${ESC}[?25l${at(2, 3)}editor`),
      20,
      5,
    );
    expect(fullScreen).toEqual({
      text: '\n  editor',
      cursor: null,
      alternateScreen: true,
      applicationCursorKeys: true,
    });
    const back = await readScreen(bytes(`shell${ESC}[?1049h${at(2, 3)}editor${ESC}[?1049l`), 20, 5);
    expect(back).toMatchObject({ text: 'shell█', alternateScreen: false });
  });

  it('shows no replacement character when the tail starts inside a UTF-8 character', async () => {
    const euro = bytes('€ ok'); // e2 82 ac 20 6f 6b
    expect(await renderScreen(euro.subarray(1), 20, 5, plain)).toBe(' ok');
    expect(await renderScreen(bytes('wide 中文 ok'), 20, 5, plain)).toBe('wide 中文 ok');
  });
});

describe('readScreenFile', () => {
  const dir = useTempDir();
  const size = { cols: 20, rows: 3 };
  const cap = 10 * 1024 * 1024;

  it('plays the tail of the stdout file', async () => {
    const path = join(dir(), 'stdout');
    // Far more than the tail: only the last lines can be on a 3-row screen anyway.
    writeFileSync(path, Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\r\n'));
    const screen = await readScreenFile(path, cap, size, plain);
    expect(screen.text).toBe('line 49997\nline 49998\nline 49999');
    expect((await readScreenFile(path, cap, size, { ...plain, tail: 5 })).text).toBe('49999');
  });

  it('starts a cut tail after its first line break, or at its first escape', async () => {
    const lines = join(dir(), 'lines');
    writeFileSync(lines, 'line 49998\r\nline 49999');
    // The last 14 bytes are `98\r\nline 49999`: no stray `98`.
    expect((await readScreenFile(lines, cap, size, { ...plain, tail: 14 })).text).toBe(
      'line 49999',
    );
    const drawn = join(dir(), 'drawn');
    writeFileSync(drawn, `${ESC}[2J${ESC}[31mA${ESC}[3;1HB`);
    // The last 12 bytes are `[31mA ESC[3;1H B`: no stray `[31mA`.
    expect((await readScreenFile(drawn, cap, size, { ...plain, tail: 12 })).text).toBe('\n\nB');
  });

  it('shows an absent file as an empty screen, the cursor alone', async () => {
    const missing = await readScreenFile(join(dir(), 'nope'), cap, size);
    expect(missing).toMatchObject({ text: '█', cursor: { row: 0, col: 0 } });
  });
});
