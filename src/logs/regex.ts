import { setFlagsFromString } from 'node:v8';

import { BgError, ErrorCode } from '../api/errors.js';
import { foldCase } from './case-fold.js';

/**
 * Compiling a caller's regular expression for searching output. JavaScript regexes backtrack,
 * and a pattern like `(a+)+$` can take minutes on one line, freezing the daemon. Two guards:
 * V8 is told to switch a regex that backtracks excessively to its linear-time engine, and a
 * pattern that engine cannot run (lookaround, backreferences) is refused if it repeats a group
 * that repeats, branches or is optional inside, the usual cause of exponential time. The engine
 * runs no `i` flag either, so an ignore-case pattern without those is rewritten to spell out
 * case (`a` → `[aA]`, see case-fold.ts) and compiled without the flag.
 */

let backtrackGuardSet = false;

// V8 reads this flag whenever a regex runs, so setting it late works (checked on Node 20–24).
function setBacktrackGuard(): void {
  if (backtrackGuardSet) return;
  backtrackGuardSet = true;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}

/**
 * Compiles `pattern` as a JavaScript regular expression (without the `g` flag, so `test` has
 * no state). A pattern that does not compile, or that could run for exponential time, is an
 * `invalid_input` BgError saying what to change.
 *
 * @example
 * compileSearchRegex('error|warn', { ignoreCase: true }).test('WARN: low disk'); // true
 */
export function compileSearchRegex(
  pattern: string,
  options: { ignoreCase?: boolean; multiline?: boolean } = {},
): RegExp {
  setBacktrackGuard();
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, `${options.ignoreCase ? 'i' : ''}${options.multiline ? 'm' : ''}`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new BgError(
      ErrorCode.invalidInput,
      `${why}. The pattern is a JavaScript regular expression: escape ( ) [ ] { } . * + ? | \\ ^ $ with a backslash to match them literally.`,
      { data: { pattern }, cause: error },
    );
  }
  if (!linearEngineCannotRun(regex)) return regex;
  if (regex.ignoreCase && !hasLookaroundOrBackreference(pattern)) {
    return new RegExp(foldCase(pattern), options.multiline ? 'm' : '');
  }
  const nested = nestedRepetition(pattern);
  if (nested !== undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      `The pattern repeats a group that itself repeats ("${nested}"), which can take exponential time. Repeat only once (write "a+" for "(a+)+"), or drop ignore_case and any lookaround or backreference.`,
      { data: { pattern } },
    );
  }
  return regex;
}

// V8's linear engine runs no ignore-case, lookaround or backreference (V8 11 to 12).
function linearEngineCannotRun(regex: RegExp): boolean {
  return regex.ignoreCase || hasLookaroundOrBackreference(regex.source);
}

function hasLookaroundOrBackreference(pattern: string): boolean {
  return /\(\?<?[=!]|\\[1-9]|\\k</.test(pattern);
}

interface Group {
  start: number;
  /** Something inside repeats without a small bound. */
  repeats: boolean;
}

/** The first group that repeats and holds a repetition, like `(a+)+` or `(\w*\s?)*`. */
export function nestedRepetition(pattern: string): string | undefined {
  const groups: Group[] = [{ start: 0, repeats: false }];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    const current = groups[groups.length - 1] ?? { start: 0, repeats: false };
    if (char === '\\') {
      i += 2;
    } else if (char === '[') {
      i = endOfClass(pattern, i);
    } else if (char === '(') {
      groups.push({ start: i, repeats: false });
      i++;
    } else if (char === ')' && groups.length > 1) {
      groups.pop();
      const parent = groups[groups.length - 1] ?? current;
      const quantifier = quantifierAt(pattern, i + 1);
      if (quantifier?.unbounded && current.repeats) {
        return pattern.slice(current.start, i + 1 + quantifier.length);
      }
      parent.repeats ||= current.repeats || (quantifier?.unbounded ?? false);
      i += 1 + (quantifier?.length ?? 0);
    } else {
      const quantifier = quantifierAt(pattern, i);
      if (quantifier?.unbounded) current.repeats = true;
      i += quantifier?.length ?? 1;
    }
  }
  return undefined;
}

// Index just past the class that opens at `open` (a `]` right after `[` or `[^` is literal).
function endOfClass(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

// Repeats bounded by more than this count as unbounded: (a{1,1000}){1,1000} is as bad as (a+)+.
const SMALL_BOUND = 100;

function quantifierAt(
  pattern: string,
  i: number,
): { length: number; unbounded: boolean } | undefined {
  const char = pattern[i];
  let length: number;
  let unbounded: boolean;
  if (char === '*' || char === '+' || char === '?') {
    length = 1;
    unbounded = char !== '?';
  } else {
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!braces) return undefined;
    length = braces[0].length;
    const max = braces[2] === undefined ? Number(braces[1]) : Number(braces[3] || Infinity);
    unbounded = max > SMALL_BOUND;
  }
  // A lazy `?` belongs to the quantifier.
  if (pattern[i + length] === '?') length++;
  return { length, unbounded };
}
