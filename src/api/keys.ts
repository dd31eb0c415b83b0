import { BgError, ErrorCode } from './errors.js';

/**
 * Named keys, as the bytes an xterm-compatible terminal sends for them, for typing into a job
 * that runs in a pseudo-terminal (`pty: true`). The terminal's line discipline turns some of
 * them into signals (ctrl-c is SIGINT, ctrl-z SIGTSTP, ctrl-\ SIGQUIT) or an end of file
 * (ctrl-d at the start of a line).
 */

const ESC = '\x1b';

// Cursor keys have two encodings: normal (ESC [ A) and, once a program asks for application
// cursor keys (DECCKM, as curses programs in keypad mode do), ESC O A.
const CURSOR_KEYS: Record<string, string> = {
  up: 'A',
  down: 'B',
  right: 'C',
  left: 'D',
  home: 'H',
  end: 'F',
};

const FIXED_KEYS: Record<string, string> = {
  enter: '\r',
  tab: '\t',
  'shift-tab': `${ESC}[Z`,
  escape: ESC,
  backspace: '\x7f',
  delete: `${ESC}[3~`,
  insert: `${ESC}[2~`,
  'page-up': `${ESC}[5~`,
  'page-down': `${ESC}[6~`,
  space: ' ',
  f1: `${ESC}OP`,
  f2: `${ESC}OQ`,
  f3: `${ESC}OR`,
  f4: `${ESC}OS`,
  f5: `${ESC}[15~`,
  f6: `${ESC}[17~`,
  f7: `${ESC}[18~`,
  f8: `${ESC}[19~`,
  f9: `${ESC}[20~`,
  f10: `${ESC}[21~`,
  f11: `${ESC}[23~`,
  f12: `${ESC}[24~`,
};

const ALIASES: Record<string, string> = {
  esc: 'escape',
  return: 'enter',
  del: 'delete',
  ins: 'insert',
  pageup: 'page-up',
  pgup: 'page-up',
  pagedown: 'page-down',
  pgdn: 'page-down',
  backtab: 'shift-tab',
};

// Control characters beyond ctrl-a … ctrl-z, by the key that makes them.
const CTRL_PUNCTUATION: Record<string, string> = {
  '@': '\x00',
  space: '\x00',
  '[': ESC,
  '\\': '\x1c',
  ']': '\x1d',
  '^': '\x1e',
  _: '\x1f',
  '?': '\x7f',
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

/** Every key name `keyBytes` accepts, aliases aside (for schema descriptions and errors). */
export const KEY_NAMES: readonly string[] = [
  ...Object.keys(FIXED_KEYS).filter((name) => !name.startsWith('f')),
  ...Object.keys(CURSOR_KEYS),
  ...Object.keys(FIXED_KEYS).filter((name) => name.startsWith('f')),
  ...LETTERS.map((letter) => `ctrl-${letter}`),
  ...Object.keys(CTRL_PUNCTUATION).map((key) => `ctrl-${key}`),
];

/** One line describing the accepted names, for a tool's input schema. */
export const KEY_NAMES_SUMMARY =
  'enter, tab, shift-tab, escape (esc), backspace, delete, insert, space, up, down, left, ' +
  'right, home, end, page-up, page-down, f1–f12, ctrl-a … ctrl-z (ctrl-c interrupts, ctrl-d ' +
  'is end of input, ctrl-z suspends), ctrl-[ ctrl-\\ ctrl-] ctrl-^ ctrl-_ ctrl-@, and alt-<key> ' +
  '(ESC, then the key); case-insensitive, "ctrl+c" works too';

/** The common keys, for the tool's schema (an unknown key's error lists them all). */
export const KEY_NAMES_SHORT =
  'enter, tab, esc, backspace, space, up/down/left/right, home, end, page-up/down, f1-f12, ' +
  'ctrl-<a-z>, alt-<key>';

export interface KeyOptions {
  /**
   * The program asked for application cursor keys (DECCKM, `ESC [ ? 1 h`): arrows, home and
   * end are sent as `ESC O x` instead of `ESC [ x`. Curses programs in keypad mode need it.
   */
  applicationCursorKeys?: boolean;
}

/**
 * The bytes a terminal sends for the key NAME; an unknown name is an `invalid_input` error
 * that lists the names there are.
 *
 * @example
 * keyBytes('ctrl-c'); // '\x03'
 * keyBytes('Up'); // '\x1b[A'
 * keyBytes('up', { applicationCursorKeys: true }); // '\x1bOA'
 * keyBytes('alt+b'); // '\x1bb'
 */
export function keyBytes(name: string, options: KeyOptions = {}): string {
  const bytes = lookup(normalize(name), options, name.trim().slice(-1));
  if (bytes === undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      `Unknown key "${name}". Use one of: ${KEY_NAMES_SUMMARY}. To type text, send it as input.`,
      { data: { key: name } },
    );
  }
  return bytes;
}

// Lower case, `+` or `_` between the parts, spaces around them ignored: `Ctrl + C` is ctrl-c.
function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\s*[+_]\s*(?=.)/g, '-')
    .replace(/\s+/g, '-');
}

// LAST is the name's last character as given: alt-B is ESC B, not ESC b.
function lookup(name: string, options: KeyOptions, last: string): string | undefined {
  const alt = /^(?:alt|meta|m)-(.+)$/.exec(name);
  if (alt) {
    const rest = alt[1] ?? '';
    const bytes = rest.length === 1 ? last : lookup(rest, options, last);
    return bytes === undefined ? undefined : ESC + bytes;
  }
  const ctrl = /^(?:ctrl|control|c)-(.+)$/.exec(name);
  if (ctrl) return controlCharacter(ctrl[1] ?? '');
  const canonical = ALIASES[name] ?? name;
  const cursor = CURSOR_KEYS[canonical];
  if (cursor !== undefined) return `${ESC}${options.applicationCursorKeys ? 'O' : '['}${cursor}`;
  return FIXED_KEYS[canonical];
}

function controlCharacter(key: string): string | undefined {
  if (/^[a-z]$/.test(key)) return String.fromCharCode(key.charCodeAt(0) - 0x60);
  return CTRL_PUNCTUATION[key];
}
