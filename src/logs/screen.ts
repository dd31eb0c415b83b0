import type { Terminal } from '@xterm/headless';

import { readAt, windowOf, withStreamFile } from './window.js';

/**
 * What the terminal of a job that runs in a pseudo-terminal shows now: its output bytes played
 * through a headless terminal emulator (xterm.js). A curses-style program draws its screen with
 * cursor movements, so its output read as lines is noise; the screen is what a person would see.
 */

/**
 * How much of the end of the output to play. A full-screen program redraws what it shows far
 * more often than this, and a line-oriented one scrolls: either way the tail decides the screen.
 */
export const SCREEN_TAIL_BYTES = 256 * 1024;

/** Marks the cursor in the text, where a terminal's block cursor would be. */
export const CURSOR_MARK = '█';

export interface Screen {
  /** The visible rows, trailing spaces trimmed, trailing empty rows dropped. */
  text: string;
  /** Where the cursor is (0-based), or null when the program hid it. */
  cursor: { row: number; col: number } | null;
  /** A full-screen program switched to the alternate screen (and has not left it). */
  alternateScreen: boolean;
  /** The program asked for application cursor keys: send arrows as `ESC O x` (see keys.ts). */
  applicationCursorKeys: boolean;
}

export interface ScreenOptions {
  /** Put CURSOR_MARK at the cursor, if the program has not hidden it. Default true. */
  markCursor?: boolean;
}

/**
 * Plays BYTES (raw PTY output, ideally its last SCREEN_TAIL_BYTES) through a COLS×ROWS terminal
 * and returns the screen as text.
 *
 * @example
 * await renderScreen(Buffer.from('>>> \x1b[2J\x1b[1;1Hhi'), 80, 24); // 'hi█'
 */
export async function renderScreen(
  bytes: Uint8Array,
  cols: number,
  rows: number,
  options: ScreenOptions = {},
): Promise<string> {
  return (await readScreen(bytes, cols, rows, options)).text;
}

/** Like renderScreen, with where the cursor is and the modes a sender of keys needs. */
export async function readScreen(
  bytes: Uint8Array,
  cols: number,
  rows: number,
  options: ScreenOptions = {},
): Promise<Screen> {
  // The emulator loads with the first screen asked for: a daemon with no PTY job never needs it.
  const { default: xterm } = await import('@xterm/headless');
  const term = new xterm.Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
  try {
    const cursorHidden = trackCursorVisibility(term);
    // xterm's decoder drops the stray continuation bytes of a tail that begins mid-character.
    await new Promise<void>((resolve) => term.write(bytes, resolve));
    const buffer = term.buffer.active;
    const cursor = cursorHidden() ? null : { row: buffer.cursorY, col: buffer.cursorX };
    const marked = (options.markCursor ?? true) ? cursor : null;
    const lines: string[] = [];
    for (let row = 0; row < rows; row++) {
      const line = buffer.getLine(buffer.baseY + row);
      if (!line) break;
      if (marked?.row === row) {
        // Untrimmed, the cells before the cursor keep their spaces. The mark takes the place
        // of a blank under the cursor; a character there stays, after it.
        const before = line.translateToString(false, 0, marked.col);
        const after = line.translateToString(true, marked.col);
        const rest = after.startsWith(' ') ? after.slice(1) : after;
        lines.push(`${before}${CURSOR_MARK}${rest}`.trimEnd());
      } else {
        // Spaces a program wrote are cells too: trimming the row's empty cells is not enough.
        lines.push(line.translateToString(true).trimEnd());
      }
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return {
      text: lines.join('\n'),
      cursor,
      alternateScreen: buffer.type === 'alternate',
      applicationCursorKeys: term.modes.applicationCursorKeysMode,
    };
  } finally {
    term.dispose();
  }
}

/**
 * The screen of a PTY job from its stdout file at PATH (capped at CAP bytes kept): plays the
 * last TAIL bytes of the kept window. An absent file is an empty screen.
 */
export async function readScreenFile(
  path: string,
  cap: number,
  size: { cols: number; rows: number },
  options: ScreenOptions & { tail?: number } = {},
): Promise<Screen> {
  const bytes = withStreamFile(
    path,
    () => Buffer.alloc(0),
    (fd) => {
      const window = windowOf(fd, cap);
      const from = Math.max(window.dropped, window.size - (options.tail ?? SCREEN_TAIL_BYTES));
      const tail = readAt(fd, from, window.size - from);
      return from > 0 ? tail.subarray(cleanStart(tail)) : tail;
    },
  );
  return readScreen(bytes, size.cols, size.rows, options);
}

// A tail cut from a longer stream may begin inside a line or an escape sequence, which would
// show as stray text (`31;1m`). It starts instead at the first escape or after the first line
// break, whichever comes first, if one is near.
function cleanStart(tail: Buffer): number {
  const near = Math.min(tail.length, 4096);
  const esc = tail.subarray(0, near).indexOf(0x1b);
  const newline = tail.subarray(0, near).indexOf(0x0a);
  const starts = [esc, newline === -1 ? -1 : newline + 1].filter((i) => i >= 0);
  return starts.length > 0 ? Math.min(...starts) : 0;
}

// DECTCEM (CSI ? 25 l / h) hides and shows the cursor; a full reset (ESC c) shows it again.
function trackCursorVisibility(term: Terminal): () => boolean {
  let hidden = false;
  const has25 = (params: (number | number[])[]): boolean => params.some((p) => p === 25);
  term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
    if (has25(params)) hidden = true;
    return false;
  });
  term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, (params) => {
    if (has25(params)) hidden = false;
    return false;
  });
  term.parser.registerEscHandler({ final: 'c' }, () => {
    hidden = false;
    return false;
  });
  return () => hidden;
}
