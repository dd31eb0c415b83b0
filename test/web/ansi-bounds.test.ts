// Proves: the dashboard's scrollback (AnsiLines) stays bounded whatever a job writes — at most
// MAX_LINES lines, MAX_CHARS characters, no line longer than MAX_LINE_CHARS — with newlines or
// without, and keeps the latest output; `\r` rewrites still free what they replace.
import { describe, expect, it } from 'vitest';

import { AnsiLines, lineText, MAX_CHARS, MAX_LINE_CHARS, MAX_LINES } from '../../web/ansi.js';

function bounds(model: AnsiLines): { lines: number; chars: number; longest: number } {
  const lengths = model.lines.map((line) => lineText(line).length);
  return {
    lines: lengths.length,
    chars: lengths.reduce((sum, length) => sum + length, 0),
    longest: Math.max(0, ...lengths),
  };
}

describe('the scrollback bounds', () => {
  it('holds a flood of lines to MAX_LINES, the newest kept', () => {
    const model = new AnsiLines();
    for (let chunk = 0; chunk < 100; chunk++) {
      const lines = Array.from({ length: 1000 }, (_, i) => `line ${chunk * 1000 + i}`);
      model.push('stdout', `${lines.join('\n')}\n`);
    }
    expect(bounds(model).lines).toBe(MAX_LINES);
    expect(lineText(model.lines.at(-1)!)).toBe('line 99999');
  });

  it('holds a flood without newlines to MAX_CHARS, in lines of MAX_LINE_CHARS, the end kept', () => {
    const model = new AnsiLines();
    const chunk = 'x'.repeat(64 * 1024 - 1);
    for (let i = 0; i < 160; i++) model.push('stdout', chunk);
    model.push('stdout', 'THE-END');
    const { lines, chars, longest } = bounds(model);
    expect(chars).toBeLessThanOrEqual(MAX_CHARS);
    expect(chars).toBeGreaterThan(MAX_CHARS - MAX_LINE_CHARS);
    expect(longest).toBe(MAX_LINE_CHARS);
    expect(lines).toBeLessThanOrEqual(MAX_LINES);
    expect(lineText(model.lines.at(-1)!).endsWith('THE-END')).toBe(true);
  });

  it('frees what a carriage return rewrites', () => {
    const model = new AnsiLines();
    for (let i = 0; i < 10_000; i++) model.push('stdout', `\rprogress ${'#'.repeat(i % 400)}`);
    model.push('stdout', '\ndone\n');
    expect(model.lines.map(lineText)).toEqual([`progress ${'#'.repeat(9999 % 400)}`, 'done']);
    // The rewritten text no longer counts: a later flood still fills MAX_CHARS, not less.
    for (let i = 0; i < 40; i++) model.push('stdout', 'y'.repeat(64 * 1024));
    expect(bounds(model).chars).toBeGreaterThan(MAX_CHARS - MAX_LINE_CHARS);
  });
});
