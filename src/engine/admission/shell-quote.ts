// How shell words are unescaped and quoted again for the allowlist's messages.
export const BARE_WORD = /^[A-Za-z0-9_@%+=:,./[\]-]+$/;
export const BARE_NAME = /^[A-Za-z0-9_@%+:,./[\]-]+$/;
/** Removes the backslashes of an unquoted literal; escaped characters become 'a' in `pattern`. */
export function unescapeUnquoted(raw: string): { text: string; pattern: string } {
  let text = '';
  let pattern = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c !== '\\') {
      text += c;
      pattern += c;
      continue;
    }
    const next = raw[++i];
    if (next === undefined || next === '\n') continue; // a line continuation
    text += next;
    pattern += 'a';
  }
  return { text, pattern };
}

/** Inside double quotes a backslash escapes only `$`, backquote, `"`, `\` and newline. */
export function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

export function quote(value: string, asName: boolean): string {
  if ((asName ? BARE_NAME : BARE_WORD).test(value)) return value;
  // `A=x y` reads better as A='x y': the same word to the shell.
  const assignment = asName ? null : /^([A-Za-z_][A-Za-z0-9_]*\+?=)(.*)$/s.exec(value);
  if (assignment) return `${assignment[1]}${quote(assignment[2] ?? '', false)}`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
