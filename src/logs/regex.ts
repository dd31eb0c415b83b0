import { setFlagsFromString } from 'node:v8';

import { BgError, ErrorCode } from '../api/errors.js';
import { foldCase } from './case-fold.js';
import { ambiguousRepeat, type AmbiguousRepeat } from './regex-ambiguity.js';

/**
 * Compiling a caller's regular expression for searching output. JavaScript regexes backtrack,
 * and a pattern like `(a+)+$` can take minutes on one line, freezing the daemon. V8 is told to
 * switch a regex that backtracks excessively to its linear-time engine; whether that engine can
 * run a pattern is asked of V8 itself (it compiles the pattern with the `l` flag or refuses). It
 * runs no `i` flag, so an ignore-case pattern is rewritten to spell out case (`a` → `[aA]`, see
 * case-fold.ts) and compiled without the flag. For a pattern it cannot run — lookaround, a
 * backreference, a count above 16 — a group that repeats and can match the same text in two
 * ways is refused (see regex-ambiguity.ts), and a search with what remains runs under a time
 * budget (see search-budget.ts): `needsTimeBudget` tells which.
 */

let flagsSet = false;
// Compiled regexes V8's linear-time engine cannot take over.
const unguarded = new WeakSet<RegExp>();

// V8 reads these flags whenever a regex is compiled or run, so setting them late works
// (checked on Node 20–24); the second lets `linearEngineRuns` ask with the `l` flag.
function setFlags(): void {
  if (flagsSet) return;
  flagsSet = true;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  setFlagsFromString('--enable-experimental-regexp-engine');
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
  setFlags();
  const multiline = options.multiline ? 'm' : '';
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, `${options.ignoreCase ? 'i' : ''}${multiline}`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new BgError(
      ErrorCode.invalidInput,
      `${why}. The pattern is a JavaScript regular expression: escape ( ) [ ] { } . * + ? | \\ ^ $ with a backslash to match them literally.`,
      { data: { pattern }, cause: error },
    );
  }
  const lookaround = hasLookaroundOrBackreference(pattern);
  if (regex.ignoreCase && !lookaround) regex = new RegExp(foldCase(pattern), multiline);
  if (linearEngineRuns(regex)) return regex;
  const ambiguous = ambiguousRepeat(pattern, options.ignoreCase);
  if (ambiguous !== undefined) throw refusal(pattern, ambiguous, lookaround);
  unguarded.add(regex);
  return regex;
}

/** True for a regex V8 cannot switch to its linear-time engine: run it under a time budget. */
export function needsTimeBudget(regex: RegExp): boolean {
  return unguarded.has(regex);
}

// V8 compiles a pattern with the `l` flag only if its linear-time engine can run it.
function linearEngineRuns(regex: RegExp): boolean {
  try {
    new RegExp(regex.source, `${regex.flags}l`);
    return true;
  } catch {
    return false;
  }
}

function hasLookaroundOrBackreference(pattern: string): boolean {
  return /\(\?<?[=!]|\\[1-9]|\\k</.test(pattern);
}

function refusal(pattern: string, found: AmbiguousRepeat, lookaround: boolean): BgError {
  const what =
    found.why === 'repeat'
      ? `repeats a group that itself repeats or has an optional part ("${found.text}")`
      : `repeats a group whose alternatives can match the same text ("${found.text}")`;
  const instead =
    found.why === 'repeat'
      ? 'Repeat only once (write "a+" for "(a+)+")'
      : 'Make the alternatives exclusive, or repeat one class (write "a+" for "(a|aa)+", "[ab]+" for "(a|b)+")';
  const because = lookaround
    ? 'it has a lookaround or a backreference, which V8’s linear-time engine cannot run'
    : 'it has a count above 16 ({n,m}), which V8’s linear-time engine cannot run';
  const or = lookaround
    ? 'or drop the lookaround and backreference'
    : 'or use "*", "+" or a count of at most 16';
  return new BgError(
    ErrorCode.invalidInput,
    `The pattern ${what}, which can take exponential time, and ${because} in its stead. ${instead}, ${or}.`,
    { data: { pattern, construct: found.text } },
  );
}
