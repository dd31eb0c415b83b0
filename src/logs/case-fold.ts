/**
 * Rewriting an ignore-case pattern into one without the `i` flag that matches the same lines:
 * each letter becomes a class of its case variants (`a` → `[aA]`) and each class gains the
 * variants of what it holds (`[a-c]` → `[A-Ca-c]`). V8's linear-time engine, which takes over
 * from a regex that backtracks excessively, runs no ignore-case pattern — but it runs these.
 *
 * Case follows the `i` flag without `u`: two code units are the same letter when their
 * single-unit upper case is equal, and no non-ASCII unit folds onto an ASCII one (so `ſ` is not
 * `s`). Patterns with lookaround or backreferences are not rewritten (the linear engine runs
 * neither); `\d \w \s \b` and their negations are already closed under case and stay as written.
 */

let variantsByCanon: Map<number, number[]> | undefined;

function canonicalize(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const canon = upper.charCodeAt(0);
  return unit >= 128 && canon < 128 ? unit : canon;
}

/** The code units that match `unit` under the `i` flag, itself included. */
function variantsOf(unit: number): number[] {
  if (variantsByCanon === undefined) {
    variantsByCanon = new Map();
    for (let u = 0; u <= 0xffff; u++) {
      const canon = canonicalize(u);
      const list = variantsByCanon.get(canon);
      if (list) list.push(u);
      else variantsByCanon.set(canon, [u]);
    }
  }
  return variantsByCanon.get(canonicalize(unit)) ?? [unit];
}

const hex = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

/** A literal code unit as pattern text: a class of its variants when it has any. */
function literal(unit: number, written: string): string {
  const variants = variantsOf(unit);
  return variants.length > 1 ? `[${variants.map(hex).join('')}]` : written;
}

/** Where an escape at `i` (the backslash) ends, and the code unit it stands for, if one. */
function escapeAt(pattern: string, i: number): { end: number; unit?: number } {
  const c = pattern[i + 1] ?? '';
  if (c === 'x' && /^[\da-f]{2}$/i.test(pattern.slice(i + 2, i + 4))) {
    return { end: i + 4, unit: parseInt(pattern.slice(i + 2, i + 4), 16) };
  }
  if (c === 'u' && /^[\da-f]{4}$/i.test(pattern.slice(i + 2, i + 6))) {
    return { end: i + 6, unit: parseInt(pattern.slice(i + 2, i + 6), 16) };
  }
  if (c === 'c' && /[a-z]/i.test(pattern[i + 2] ?? '')) return { end: i + 3 };
  // Class escapes, boundaries, control letters and digits mean no cased letter.
  if (/[dDwWsSbBfnrtv\d]/.test(c)) return { end: i + 2 };
  // Any other escape is the character itself (`\.`, and without `u` also `\p`, `\k`...).
  return { end: i + 2, unit: c.charCodeAt(0) };
}

/** The rewritten class that opens at `open`, and the index past it. */
function foldClass(pattern: string, open: number): { text: string; end: number } {
  let i = open + 1;
  const negated = pattern[i] === '^';
  if (negated) i++;
  const bodyStart = i;
  const held = new Set<number>();
  const atom = (): number | undefined => {
    if (pattern[i] !== '\\') return pattern.charCodeAt(i++);
    const escape = escapeAt(pattern, i);
    i = escape.end;
    return escape.unit;
  };
  while (i < pattern.length && pattern[i] !== ']') {
    const from = atom();
    if (pattern[i] !== '-' || i + 1 >= pattern.length || pattern[i + 1] === ']') {
      if (from !== undefined) held.add(from);
      continue;
    }
    i++; // the dash
    const to = atom();
    if (from !== undefined && to !== undefined) {
      for (let u = from; u <= to; u++) held.add(u);
    } else {
      // Annex B: a dash beside a class escape (`[\w-z]`) is literal.
      for (const unit of [from, 0x2d, to]) if (unit !== undefined) held.add(unit);
    }
  }
  const extra: number[] = [];
  for (const unit of held) {
    for (const variant of variantsOf(unit)) if (!held.has(variant)) extra.push(variant);
  }
  let body = pattern.slice(bodyStart, i);
  if (extra.length > 0 && body.startsWith('-')) body = `\\-${body.slice(1)}`;
  const added = [...new Set(extra)].map(hex).join('');
  return { text: `[${negated ? '^' : ''}${added}${body}]`, end: i + 1 };
}

/**
 * `pattern` (meant for the `i` flag, without `u`) rewritten to match the same without it.
 *
 * @example
 * foldCase('fail(ed|ure)'); // '[fF][aA][iI][lL]([eE][dD]|[uU][rR][eE])', letters as \u escapes
 */
export function foldCase(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] ?? '';
    if (char === '\\') {
      const escape = escapeAt(pattern, i);
      const written = pattern.slice(i, escape.end);
      out += escape.unit === undefined ? written : literal(escape.unit, written);
      i = escape.end;
    } else if (char === '[') {
      const folded = foldClass(pattern, i);
      out += folded.text;
      i = folded.end;
    } else if (pattern.startsWith('(?<', i)) {
      const close = pattern.indexOf('>', i); // a group name stays as written
      const end = close < 0 ? pattern.length : close + 1;
      out += pattern.slice(i, end);
      i = end;
    } else {
      out += literal(pattern.charCodeAt(i), char);
      i++;
    }
  }
  return out;
}
