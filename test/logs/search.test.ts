// Proves: search finds matching lines of the kept window with context each side, 1-based line
// numbers from the job's first line (the dropped lines counted before they were punched out,
// or relative to the window, and said so, where that count is lost) and absolute byte offsets; it stops at max_matches and says
// so; it matches what a model sees (escapes stripped); a bad or exponential regex is a clear
// invalid_input error; long lines are cut for matching; a missing file has no matches.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { punchDropped } from '../../src/logs/cap.js';
import { lineCountPath } from '../../src/logs/line-count.js';
import { readStream, searchStream } from '../../src/logs/reader.js';
import { compileSearchRegex } from '../../src/logs/regex.js';
import { ambiguousRepeat } from '../../src/logs/regex-ambiguity.js';
import { MAX_LINE_BYTES } from '../../src/logs/search.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();
const BIG_CAP = 1024 ** 3;
const options = { context: 0, maxMatches: 50, stream: 'stdout' } as const;

function numbered(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `line ${i + 1}${(i + 1) % 10 === 0 ? ' ERROR' : ''}\n`,
  ).join('');
}

function invalidInput(run: () => unknown): BgError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BgError);
    expect((error as BgError).code).toBe('invalid_input');
    return error as BgError;
  }
  throw new Error('expected an invalid_input BgError');
}

describe('searchStream', () => {
  it('finds lines with context, line numbers and byte offsets', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, numbered(35));
    const { matches, truncated } = await searchStream(path, BIG_CAP, 'ERROR', {
      ...options,
      context: 2,
    });
    expect(truncated).toBe(false);
    expect(matches.map((m) => m.line)).toEqual([10, 20, 30]);
    expect(matches[0]).toEqual({
      stream: 'stdout',
      line: 10,
      offset: numbered(9).length,
      text: 'line 10 ERROR',
      before: ['line 8', 'line 9'],
      after: ['line 11', 'line 12'],
    });
    for (const match of matches) {
      const at = readStream(path, BIG_CAP, {
        offset: match.offset,
        maxBytes: match.text.length,
        raw: true,
      });
      expect(at.text).toBe(match.text);
    }
  });

  it('gives short context at the edges and none when context is 0', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'ERROR first\nmiddle\nERROR last');
    const { matches } = await searchStream(path, BIG_CAP, '^ERROR', { ...options, context: 5 });
    expect(matches.map((m) => [m.before, m.after])).toEqual([
      [[], ['middle', 'ERROR last']],
      [['ERROR first', 'middle'], []],
    ]);
    const bare = await searchStream(path, BIG_CAP, '^ERROR', options);
    expect(bare.matches.map((m) => [m.text, m.before, m.after])).toEqual([
      ['ERROR first', [], []],
      ['ERROR last', [], []],
    ]);
  });

  it('stops at max_matches and says there were more', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, numbered(100));
    const cut = await searchStream(path, BIG_CAP, 'ERROR', {
      ...options,
      maxMatches: 3,
      context: 1,
    });
    expect(cut.truncated).toBe(true);
    expect(cut.matches.map((m) => m.line)).toEqual([10, 20, 30]);
    expect(cut.matches[2]?.after).toEqual(['line 31']);
    const exact = await searchStream(path, BIG_CAP, 'ERROR', { ...options, maxMatches: 10 });
    expect(exact.truncated).toBe(false);
    expect(exact.matches).toHaveLength(10);
  });

  it('searches only the kept window and numbers lines from the first line written', async () => {
    const path = join(dir(), 'stdout');
    const content = numbered(100);
    writeFileSync(path, content);
    const cap = content.length - numbered(50).length; // keeps lines 51..100
    const found = await searchStream(path, cap, 'ERROR', options);
    const { matches } = found;
    expect(matches.map((m) => m.text)).toEqual([60, 70, 80, 90, 100].map((n) => `line ${n} ERROR`));
    expect(matches[0]?.line).toBe(60);
    expect(matches[0]?.offset).toBe(numbered(59).length);
    expect(found).toMatchObject({ dropped: numbered(50).length, lineNumbers: 'absolute' });
  });

  it('counts the lines the cap punched out, and says when it cannot', async () => {
    const path = join(dir(), 'stdout');
    const content = numbered(20_000); // ~210 KB
    writeFileSync(path, content);
    const cap = content.length - numbered(15_000).length; // keeps lines 15001..20000
    const punched = await punchDropped(path, cap, 0, { onError: (e) => expect.fail(e.message) });
    expect(punched).toBeGreaterThan(100_000);
    // The dropped bytes are gone from disk: only the recorded count can number the lines.
    expect(
      readFileSync(path)
        .subarray(0, 100)
        .every((byte) => byte === 0),
    ).toBe(true);
    const found = await searchStream(path, cap, '^line 15(01|10)0 ERROR$', options);
    expect(found.matches.map((m) => [m.line, m.text])).toEqual([
      [15010, 'line 15010 ERROR'],
      [15100, 'line 15100 ERROR'],
    ]);
    expect(found.lineNumbers).toBe('absolute');

    // Punched by a bgjobs that did not count (the count is gone): numbered from the window.
    rmSync(lineCountPath(path));
    const relative = await searchStream(path, cap, '^line 15010 ERROR$', options);
    expect(relative).toMatchObject({ lineNumbers: 'relative', matches: [{ line: 10 }] });
  });

  it('matches what a model sees, honours ignore_case, and reads a missing file as empty', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, '\x1b[31mFAIL\x1b[0m test\nok\n');
    const plain = await searchStream(path, BIG_CAP, '^FAIL test$', options);
    expect(plain.matches.map((m) => m.text)).toEqual(['FAIL test']);
    const anyCase = await searchStream(path, BIG_CAP, 'fail', { ...options, ignoreCase: true });
    expect(anyCase.matches).toHaveLength(1);
    expect((await searchStream(path, BIG_CAP, 'fail', options)).matches).toHaveLength(0);
    expect(await searchStream(join(dir(), 'nope'), BIG_CAP, 'x', options)).toEqual({
      matches: [],
      truncated: false,
      dropped: 0,
      lineNumbers: 'absolute',
    });
  });

  it('matches a very long line on its first 64 KiB only', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, `START${'x'.repeat(MAX_LINE_BYTES * 2)}END\nnext END\n`);
    expect((await searchStream(path, BIG_CAP, 'START', options)).matches[0]?.line).toBe(1);
    const end = await searchStream(path, BIG_CAP, 'END', options);
    expect(end.matches.map((m) => [m.line, m.text])).toEqual([[2, 'next END']]);
    const long = (await searchStream(path, BIG_CAP, 'START', options)).matches[0];
    expect(long?.text.length).toBeLessThanOrEqual(2001);
  });

  it('does not change the file', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, numbered(20));
    await searchStream(path, BIG_CAP, 'ERROR', options);
    appendFileSync(path, 'tail\n');
    expect(
      readStream(path, BIG_CAP, { offset: numbered(20).length, maxBytes: 100, raw: false }).text,
    ).toBe('tail\n');
  });
});

describe('search patterns', () => {
  it('refuses a bad regex with what to fix', async () => {
    const error = invalidInput(() => compileSearchRegex('fail(ed'));
    expect(error.message).toMatch(/Invalid regular expression/);
    expect(error.message).toMatch(/escape .* with a backslash/);
    await expect(
      searchStream(join(dir(), 'nope'), BIG_CAP, '[unclosed', options),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('finds the repeated group that can match the same text two ways', () => {
    const text = (pattern: string, ignoreCase = false): string | undefined =>
      ambiguousRepeat(pattern, ignoreCase)?.text;
    expect(text('(a+)+$')).toBe('(a+)+');
    expect(text('x(?:\\w*\\s?)*y')).toBe('(?:\\w*\\s?)*');
    expect(text('((ab)+c)+')).toBe('((ab)+c)+');
    expect(text('(a{1,1000}){2,}')).toBe('(a{1,1000}){2,}');
    expect(text('(?=a)(a|aa)+b')).toBe('(a|aa)+');
    expect(text('(a|aa){0,30}b')).toBe('(a|aa){0,30}');
    expect(text('(x|)+')).toBe('(x|)+');
    expect(text('(\\w|_)*')).toBe('(\\w|_)*');
    expect(text('((?!x)a|ab)+')).toBe('((?!x)a|ab)+');
    expect(text('(a|A)+', true)).toBe('(a|A)+');
    expect(ambiguousRepeat('(a|aa)+')?.why).toBe('alternatives');
    expect(ambiguousRepeat('(a?b)*')?.why).toBe('repeat');
    // Exclusive alternatives, a single repeat, an optional group, classes holding ( + ).
    expect(text('(a|A)+')).toBeUndefined();
    expect(text('(ab|cd)+ (a+)? b+ [(+)]+ \\(x+\\)+ (?:(?!FAIL).)* (\\.\\d){3}')).toBeUndefined();
  });

  it('refuses an ambiguous repeat only where the linear engine cannot run the pattern', () => {
    // With ignore_case it is rewritten to spell out case, which the linear engine can run.
    expect(compileSearchRegex('(a+)+$', { ignoreCase: true }).flags).toBe('');
    expect(compileSearchRegex('(a|aa){0,16}b').test('aab')).toBe(true);
    const error = invalidInput(() => compileSearchRegex('(?=a)(a+)+$', { ignoreCase: true }));
    expect(error.message).toMatch(/"\(a\+\)\+".*exponential.*lookaround/);
    expect(invalidInput(() => compileSearchRegex('(a|aa){0,30}b')).message).toMatch(
      /"\(a\|aa\)\{0,30\}".*count above 16/,
    );
    expect(compileSearchRegex('error (\\d+\\.)+', {}).test('error 1.2.')).toBe(true);
    expect(compileSearchRegex('(?<!\\w)error').test('an error')).toBe(true);
  });

  it('survives a catastrophic pattern the linear engine can run', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, `${'a'.repeat(40)}!\n`.repeat(20));
    // Backtracking would take longer than the age of the universe, blocking this thread: the
    // fallback is linear, and answering at all is the proof.
    const { matches } = await searchStream(path, BIG_CAP, '(a+)+$', options);
    expect(matches).toHaveLength(0);
  });
});
