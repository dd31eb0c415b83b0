/**
 * Finding the repeated group that makes a backtracking regex take exponential time: a group
 * repeated more than once whose body can match the same text in more than one way — it holds
 * a repeat or an optional part (`(a+)+`, `(a?b)*`), or alternatives that can begin alike
 * (`(a|aa)+`, `(\w|_)*`, `(x|)+`). Alternatives count as exclusive only when each begins with a
 * different literal character (`(ab|cd)+`): a cautious reading, which refuses some patterns
 * that are in fact safe. Quantifiers are `*`, `+`, `?` and `{n}`, `{n,}`, `{n,m}`, lazy or not.
 */

export interface AmbiguousRepeat {
  /** The repeated group with its quantifier, as written: `(a|aa)+`. */
  text: string;
  /** `repeat`: its body repeats or is optional; `alternatives`: its alternatives overlap. */
  why: 'repeat' | 'alternatives';
}

interface Frame {
  start: number;
  /** Each alternative's first literal character so far; null when it is not one. */
  firsts: (string | null)[];
  /** No atom yet in the current alternative. */
  altEmpty: boolean;
  /** The body repeats, or has an optional part. */
  repeats: boolean;
  /** A group inside is ambiguous. */
  ambiguousInside: boolean;
  /** A lookahead or lookbehind: it matches no character, so it gives no first literal. */
  lookaround: boolean;
}

const frame = (start: number, lookaround = false): Frame => ({
  start,
  lookaround,
  firsts: [],
  altEmpty: true,
  repeats: false,
  ambiguousInside: false,
});

/**
 * The first group (in the order groups close) that is repeated more than once and is
 * ambiguous; undefined when there is none. `ignoreCase` makes `A` and `a` the same literal.
 *
 * @example
 * ambiguousRepeat('(?=a)(a|aa)+b'); // { text: '(a|aa)+', why: 'alternatives' }
 * ambiguousRepeat('(ab|cd)+'); // undefined
 */
export function ambiguousRepeat(pattern: string, ignoreCase = false): AmbiguousRepeat | undefined {
  const stack: Frame[] = [frame(0)];
  const top = (): Frame => stack[stack.length - 1] ?? frame(0);
  // Records an atom (its first literal, or null) in the current alternative.
  const atom = (literal: string | null, at: Frame = top()): void => {
    if (!at.altEmpty) return;
    at.firsts.push(literal === null ? null : ignoreCase ? literal.toLowerCase() : literal);
    at.altEmpty = false;
  };
  // A quantifier after an atom: the body repeats; an optional first atom is no sure first.
  const quantified = (quantifier: Quantifier, at: Frame, wasFirst: boolean): void => {
    at.repeats = true;
    if (wasFirst && quantifier.min === 0) at.firsts[at.firsts.length - 1] = null;
  };

  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] ?? '';
    const current = top();
    const wasFirst = current.altEmpty;
    let end: number;
    if (char === '\\') {
      end = endOfEscape(pattern, i);
      const next = pattern[i + 1] ?? '';
      atom(/^[A-Za-z0-9]$/.test(next) ? null : next);
    } else if (char === '[') {
      end = endOfClass(pattern, i);
      atom(null);
    } else if (char === '(') {
      stack.push(frame(i, /^\(\?<?[=!]/.test(pattern.slice(i, i + 4))));
      i += groupPrefix(pattern, i);
      continue;
    } else if (char === ')' && stack.length > 1) {
      stack.pop();
      const parent = top();
      const parentWasFirst = parent.altEmpty;
      if (current.altEmpty) current.firsts.push(null);
      const overlap = overlapping(current.firsts);
      const ambiguous = current.repeats || current.ambiguousInside || overlap;
      const quantifier = quantifierAt(pattern, i + 1);
      const after = i + 1 + (quantifier?.length ?? 0);
      if (quantifier !== undefined && quantifier.max > 1 && ambiguous) {
        return {
          text: pattern.slice(current.start, after),
          why: current.repeats || current.ambiguousInside ? 'repeat' : 'alternatives',
        };
      }
      const single = current.firsts.length === 1 && !current.lookaround;
      atom(single ? (current.firsts[0] ?? null) : null, parent);
      parent.repeats ||= current.repeats;
      parent.ambiguousInside ||= ambiguous;
      if (quantifier !== undefined) quantified(quantifier, parent, parentWasFirst);
      i = after;
      continue;
    } else if (char === '|') {
      if (current.altEmpty) current.firsts.push(null);
      current.altEmpty = true;
      i++;
      continue;
    } else if (char === '^' || char === '$') {
      // An assertion: no character, so no first literal either.
      i++;
      continue;
    } else {
      end = i + 1;
      atom(char === '.' ? null : char);
    }
    const quantifier = quantifierAt(pattern, end);
    if (quantifier !== undefined) quantified(quantifier, current, wasFirst);
    i = end + (quantifier?.length ?? 0);
  }
  return undefined;
}

/** Alternatives that could begin alike: more than one, and a first unknown or shared. */
function overlapping(firsts: readonly (string | null)[]): boolean {
  if (firsts.length < 2) return false;
  if (firsts.includes(null)) return true;
  return new Set(firsts).size < firsts.length;
}

/** Where the text of a group starts: past `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
function groupPrefix(pattern: string, open: number): number {
  if (pattern[open + 1] !== '?') return 1;
  const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(pattern.slice(open, open + 80));
  if (named) return named[0].length;
  return pattern[open + 2] === '<' ? 4 : 3;
}

// Index just past the escape that starts at `at`: `\k<name>`, `\u{…}`, `\uXXXX`, `\xXX`, `\cX`,
// `\p{…}`, or a backslash and one character.
function endOfEscape(pattern: string, at: number): number {
  const rest = pattern.slice(at, at + 80);
  const long =
    /^\\(?:k<[^>]*>|u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|c[A-Za-z]|[pP]\{[^}]*\}|\d+)/.exec(
      rest,
    );
  return at + (long ? long[0].length : 2);
}

/** Index just past the class that opens at `open` (a `]` right after `[` or `[^` is literal). */
export function endOfClass(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

interface Quantifier {
  length: number;
  min: number;
  max: number;
}

function quantifierAt(pattern: string, i: number): Quantifier | undefined {
  const char = pattern[i];
  let quantifier: Quantifier;
  if (char === '*') quantifier = { length: 1, min: 0, max: Infinity };
  else if (char === '+') quantifier = { length: 1, min: 1, max: Infinity };
  else if (char === '?') quantifier = { length: 1, min: 0, max: 1 };
  else {
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!braces) return undefined;
    const min = Number(braces[1]);
    const max = braces[2] === undefined ? min : Number(braces[3] || Infinity);
    quantifier = { length: braces[0].length, min, max };
  }
  // A lazy `?` belongs to the quantifier.
  if (pattern[i + quantifier.length] === '?') quantifier.length++;
  return quantifier;
}
