// Proves: a search whose regex V8's linear-time engine cannot take over — lookaround or a
// backreference with ambiguous repetition, a count above that engine's limit on an ambiguous
// group, polynomial runs of repeats behind a lookaround — answers on a long line of "a" (a clear
// refusal naming the construct, or "too slow" once the search's time budget is spent) instead
// of hanging; patterns that engine cannot run but that are not ambiguous still find their lines.
// Each search runs in a child process (the built code) killed by pid if it passes its bound, so
// a regression fails here instead of hanging the suite.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { useTempDir } from './temp-dir.js';

const dir = useTempDir();
const SEARCH = fileURLToPath(new URL('../../dist/logs/search.js', import.meta.url));
// Far beyond any answer: a search that has not answered by then hangs.
const HANG_MS = 20_000;

type Outcome =
  { answered: true; lines?: number[]; code?: string; message?: string } | { answered: false };

/** Searches `text` for `pattern` in a child process; not answered when it passes HANG_MS. */
function searchInChild(
  text: string,
  pattern: string,
  options: { ignoreCase?: boolean; budgetMs?: number } = {},
): Promise<Outcome> {
  const path = join(dir(), 'stdout');
  writeFileSync(path, text);
  const script = `
    const { searchStream } = await import(${JSON.stringify(SEARCH)});
    try {
      const found = await searchStream(${JSON.stringify(path)}, 2 ** 40, ${JSON.stringify(pattern)},
        { context: 0, maxMatches: 50, stream: 'stdout', ignoreCase: ${options.ignoreCase === true} });
      console.log(JSON.stringify({ lines: found.matches.map((m) => m.line) }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }`;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        env: { ...process.env, BGJOBS_SEARCH_BUDGET_MS: String(options.budgetMs ?? 2000) },
      },
      (error, stdout) => {
        clearTimeout(timer);
        if (error && stdout === '') return resolve({ answered: false });
        resolve({ answered: true, ...(JSON.parse(stdout) as object) });
      },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  });
}

const longA = `${'a'.repeat(30_000)}\nWARN: Disk low\nBuild FAILED\n`;

describe('regexes the linear-time engine cannot take over', () => {
  for (const [pattern, construct] of [
    ['(?=a)(a|aa)+b', '(a|aa)+'],
    ['(a|aa)+(?=b)', '(a|aa)+'],
    ['(a|aa){0,30}b', '(a|aa){0,30}'],
    ['(?:a|aa){25}b', '(?:a|aa){25}'],
    ['(a{1,2}){0,30}b', '(a{1,2}){0,30}'],
    ['(a)(\\1|aa)+b', '(\\1|aa)+'],
    ['a{20}(a|aa)+b', '(a|aa)+'],
  ] as const) {
    it(`refuses ${pattern} at once, naming ${construct}`, async () => {
      const outcome = await searchInChild(longA, pattern);
      expect(outcome).toMatchObject({ answered: true, code: 'invalid_input' });
      const message = (outcome as { message: string }).message;
      expect(message).toContain(`"${construct}"`);
      expect(message).toMatch(/exponential time/);
    }, 60_000);
  }

  it('refuses (?=a)(a|aa)+b with ignore_case too', async () => {
    const outcome = await searchInChild(longA, '(?=a)(a|aa)+b', { ignoreCase: true });
    expect(outcome).toMatchObject({ answered: true, code: 'invalid_input' });
  }, 60_000);

  it('answers "too slow" when a pattern it lets through runs past the budget', async () => {
    // Three repeats in a row: no group is ambiguous, but each start tries n² splits.
    const outcome = await searchInChild(longA, '(?=a)a*a*a*b', { budgetMs: 1000 });
    expect(outcome).toMatchObject({ answered: true, code: 'invalid_input' });
    expect((outcome as { message: string }).message).toMatch(/too slow.*1 s/);
  }, 60_000);

  it('still finds lines with lookaround, backreferences and large counts', async () => {
    const text = `${'a'.repeat(30_000)}\nerror: x\nno-error: y\nabab\nFAIL ${'-'.repeat(150)}\n`;
    expect(await searchInChild(text, '(?<![\\w-])error')).toEqual({ answered: true, lines: [2] });
    expect(await searchInChild(text, '^(ab)\\1$')).toEqual({ answered: true, lines: [4] });
    expect(await searchInChild(text, 'FAIL -{100,200}$')).toEqual({ answered: true, lines: [5] });
    expect(await searchInChild(text, '^(?:(?!FAIL).)*: y$')).toEqual({
      answered: true,
      lines: [3],
    });
    expect(await searchInChild(text, '^(?:(?!no)[a-z])+:', { ignoreCase: true })).toEqual({
      answered: true,
      lines: [2],
    });
  }, 120_000);
});
