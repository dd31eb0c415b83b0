// Proves: every key name gives the bytes an xterm sends for it (ctrl-a … ctrl-z are 0x01 …
// 0x1a, enter is CR, backspace DEL, arrows CSI or, in application cursor mode, SS3); names are
// case-insensitive and take `+`, `_` or spaces between their parts; aliases resolve; alt-<key>
// is ESC then the key; every name in KEY_NAMES is accepted; an unknown name is an invalid_input
// BgError that lists the names there are.
import { describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { KEY_NAMES, keyBytes } from '../../src/api/keys.js';

const ESC = '\x1b';

describe('keyBytes', () => {
  it.each([
    ['ctrl-c', '\x03'],
    ['ctrl-d', '\x04'],
    ['ctrl-z', '\x1a'],
    ['ctrl-l', '\x0c'],
    ['ctrl-a', '\x01'],
    ['ctrl-[', ESC],
    ['ctrl-\\', '\x1c'],
    ['ctrl-]', '\x1d'],
    ['ctrl-^', '\x1e'],
    ['ctrl-_', '\x1f'],
    ['ctrl-@', '\x00'],
    ['ctrl-space', '\x00'],
    ['enter', '\r'],
    ['tab', '\t'],
    ['shift-tab', `${ESC}[Z`],
    ['escape', ESC],
    ['esc', ESC],
    ['backspace', '\x7f'],
    ['delete', `${ESC}[3~`],
    ['insert', `${ESC}[2~`],
    ['up', `${ESC}[A`],
    ['down', `${ESC}[B`],
    ['right', `${ESC}[C`],
    ['left', `${ESC}[D`],
    ['home', `${ESC}[H`],
    ['end', `${ESC}[F`],
    ['page-up', `${ESC}[5~`],
    ['page-down', `${ESC}[6~`],
    ['space', ' '],
    ['f1', `${ESC}OP`],
    ['f2', `${ESC}OQ`],
    ['f3', `${ESC}OR`],
    ['f4', `${ESC}OS`],
    ['f5', `${ESC}[15~`],
    ['f6', `${ESC}[17~`],
    ['f7', `${ESC}[18~`],
    ['f8', `${ESC}[19~`],
    ['f9', `${ESC}[20~`],
    ['f10', `${ESC}[21~`],
    ['f11', `${ESC}[23~`],
    ['f12', `${ESC}[24~`],
  ])('%s', (name, bytes) => {
    expect(keyBytes(name)).toBe(bytes);
  });

  it('maps every letter: ctrl-a … ctrl-z are 0x01 … 0x1a', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
    expect(letters.map((l) => keyBytes(`ctrl-${l}`).charCodeAt(0))).toEqual(
      letters.map((_, i) => i + 1),
    );
  });

  it('is case-insensitive and takes +, _ or spaces between the parts', () => {
    for (const name of ['CTRL-C', 'Ctrl+C', 'ctrl+c', 'ctrl_c', ' Ctrl + c ', 'control-c']) {
      expect(keyBytes(name)).toBe('\x03');
    }
    for (const name of ['Page-Up', 'PAGE_UP', 'page up', 'PgUp', 'pageup']) {
      expect(keyBytes(name)).toBe(`${ESC}[5~`);
    }
    expect(keyBytes('Enter')).toBe('\r');
    expect(keyBytes('return')).toBe('\r');
    expect(keyBytes('F12')).toBe(`${ESC}[24~`);
    expect(keyBytes('Shift+Tab')).toBe(`${ESC}[Z`);
  });

  it('sends cursor keys as SS3 in application cursor mode, and only them', () => {
    const app = { applicationCursorKeys: true };
    expect(keyBytes('up', app)).toBe(`${ESC}OA`);
    expect(keyBytes('down', app)).toBe(`${ESC}OB`);
    expect(keyBytes('right', app)).toBe(`${ESC}OC`);
    expect(keyBytes('left', app)).toBe(`${ESC}OD`);
    expect(keyBytes('home', app)).toBe(`${ESC}OH`);
    expect(keyBytes('end', app)).toBe(`${ESC}OF`);
    expect(keyBytes('page-up', app)).toBe(`${ESC}[5~`);
    expect(keyBytes('ctrl-c', app)).toBe('\x03');
  });

  it('sends alt-<key> as ESC then the key, keeping the case of a character', () => {
    expect(keyBytes('alt-b')).toBe(`${ESC}b`);
    expect(keyBytes('Alt+B')).toBe(`${ESC}B`);
    expect(keyBytes('alt-.')).toBe(`${ESC}.`);
    expect(keyBytes('alt-enter')).toBe(`${ESC}\r`);
    expect(keyBytes('alt-up')).toBe(`${ESC}${ESC}[A`);
  });

  it('accepts every name it lists', () => {
    expect(KEY_NAMES).toContain('ctrl-c');
    expect(KEY_NAMES).toContain('page-down');
    expect(KEY_NAMES).toContain('f12');
    for (const name of KEY_NAMES) expect(typeof keyBytes(name)).toBe('string');
  });

  it.each(['ctrl-1', 'hyper-x', 'f13', '', 'ctrl-', 'enterr', 'up down'])(
    'refuses %j with invalid_input and the list of names',
    (name) => {
      let error: unknown;
      try {
        keyBytes(name);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BgError);
      expect(error).toMatchObject({ code: 'invalid_input' });
      expect((error as BgError).message).toMatch(/Unknown key/);
      expect((error as BgError).message).toMatch(/page-up/);
      expect((error as BgError).message).toMatch(/ctrl-a … ctrl-z/);
    },
  );
});
