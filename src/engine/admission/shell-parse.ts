import { createRequire } from 'node:module';

/**
 * Reads a command line the way /bin/sh will, with mvdan/sh's parser (the `mvdan-sh` GopherJS
 * build), and lists what the allowlist must judge: every simple command, and every construct it
 * cannot see through.
 *
 * Jobs run with `/bin/sh -c`, and /bin/sh is dash on some systems and bash on others. The two
 * do not always split a line the same way — `echo $'\'; rm -rf ~; #'` is one `echo` to bash and
 * runs `rm` under dash — so the line is parsed twice, as POSIX sh and as bash; both readings
 * must parse, and the commands of both are listed.
 */

// ── the parts of mvdan-sh's API used here (its nodes mirror mvdan.cc/sh/v3/syntax) ──────────
interface Pos {
  Offset(): number;
}
interface Node {
  Pos(): Pos;
  End(): Pos;
}
interface Lit extends Node {
  Value: string;
}
interface Word extends Node {
  Parts: Node[];
}
interface Quoted extends Node {
  Dollar: boolean;
  Value: string; // SglQuoted
  Parts: Node[]; // DblQuoted
}
interface ParamExp extends Node {
  Short: boolean;
  Excl: boolean;
  Length: boolean;
  Width: boolean;
  Param: Lit | null;
  Index: Node | null;
  Slice: Node | null;
  Repl: Node | null;
  Names: number;
  Exp: { Op: number } | null;
}
interface Assign extends Node {
  Append: boolean;
  Naked: boolean;
  Name: Lit | null;
  Index: Node | null;
  Value: Word | null;
  Array: Node | null;
}
interface Redirect extends Node {
  Word: Word;
}
interface CallExpr extends Node {
  Assigns: Assign[];
  Args: Word[];
}
interface DeclClause extends Node {
  Variant: Lit;
  Args: Assign[];
}
interface Stmt extends Node {
  Cmd: Node | null;
  Redirs: Redirect[];
}
interface ArithmExp extends Node {
  X: Node;
}
interface Syntax {
  NewParser(...options: unknown[]): { Parse(src: string, name: string): Node };
  Variant(lang: unknown): unknown;
  LangBash: unknown;
  LangPOSIX: unknown;
  Walk(node: Node, visit: (node: Node | null) => boolean): void;
  NodeType(node: Node): string;
}

let loaded: Syntax | undefined;

// Loaded on first use only (~150 ms): a bgjobs without an allowlist never pays for it.
function syntax(): Syntax {
  if (loaded) return loaded;
  // The GopherJS runtime sets a global `require` as it loads; keep the global scope as it was.
  const hadRequire = Object.prototype.hasOwnProperty.call(globalThis, 'require');
  const previous: unknown = (globalThis as { require?: unknown }).require;
  const mvdan = createRequire(import.meta.url)('mvdan-sh') as { syntax: Syntax };
  if (hadRequire) (globalThis as { require?: unknown }).require = previous;
  else delete (globalThis as { require?: unknown }).require;
  loaded = mvdan.syntax;
  return loaded;
}

// ── what the analysis gives ─────────────────────────────────────────────────────────────────
export interface SimpleCommand {
  /**
   * The command as the allowlist matches it: its assignments, words and redirections in that
   * order, one space apart. A word that is fixed text is shown by its value, single-quoted only
   * when it needs quotes (`"a; rm"` → `'a; rm'`); a word with expansions is shown as written.
   */
  text: string;
  /** The command name as the shell runs it; undefined for `A=1` or `>file` alone. */
  name: string | undefined;
  /** `text` with the command name replaced by `name`. */
  withName(name: string): string;
}

/** A construct the allowlist cannot see through, refused whatever the patterns say. */
export interface Obstacle {
  /** The piece of the command line at fault, as written. */
  snippet: string;
  /** Why it cannot be checked, and what to write instead. */
  reason: string;
}

export type Analysis =
  | { ok: true; commands: SimpleCommand[]; obstacles: Obstacle[] }
  | { ok: false; reading: 'POSIX sh' | 'bash'; error: string };

/** Parses `line` as POSIX sh and as bash, and lists the simple commands and obstacles of both. */
export function analyzeCommandLine(line: string): Analysis {
  const sh = syntax();
  const source = Buffer.from(line, 'utf8');
  const commands = new Map<string, SimpleCommand>();
  const obstacles = new Map<string, Obstacle>();
  for (const [reading, lang] of [
    ['POSIX sh', sh.LangPOSIX],
    ['bash', sh.LangBash],
  ] as const) {
    let file: Node;
    try {
      file = sh.NewParser(sh.Variant(lang)).Parse(line, '');
    } catch (error) {
      return { ok: false, reading, error: parseErrorMessage(error) };
    }
    const reader = new Reader(sh, source);
    sh.Walk(file, (node) => (node ? reader.visit(node) : true));
    for (const command of reader.commands) commands.set(command.text, command);
    for (const obstacle of reader.obstacles) obstacles.set(obstacle.snippet, obstacle);
  }
  return { ok: true, commands: [...commands.values()], obstacles: [...obstacles.values()] };
}

function parseErrorMessage(error: unknown): string {
  // mvdan's ParseError arrives as a GopherJS object with an `Error()` method, like "1:6: …".
  const withError = error as { Error?: () => string } | null;
  if (typeof withError?.Error === 'function') return withError.Error();
  return error instanceof Error ? error.message : String(error);
}

// ── reading one parse tree ─────────────────────────────────────────────────────────────────
const BASH_ONLY_NODES = new Map([
  ['TestClause', '[[ … ]]'],
  ['ArithmCmd', '(( … ))'],
  ['LetClause', 'let'],
  ['CoprocClause', 'coproc'],
  ['ProcSubst', 'process substitution <( … )'],
  ['ExtGlob', 'extended globs'],
  ['ArrayExpr', 'arrays'],
  ['CStyleLoop', 'for (( … ))'],
  ['BraceExp', 'brace expansion'],
]);

// ${x^^}, ${x,,}, ${x@P}…: ParExpOperator values from UpperFirst on are bash-only.
const FIRST_BASH_PARAM_OP = 0x50;

// Arithmetic may use numbers and the shell's own numeric parameters, nothing a caller can fill.
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|[0-9]+(?:#[0-9a-zA-Z@_]+)?)$/;
const NUMERIC_PARAMS = new Set(['#', '?', '$', '!']);

// Fixed text needing no quotes; a command name also must not look like an assignment.
const BARE_WORD = /^[A-Za-z0-9_@%+=:,./[\]-]+$/;
const BARE_NAME = /^[A-Za-z0-9_@%+:,./[\]-]+$/;

interface WordView {
  /** The word's value when it is fixed text (no expansion of any kind), else undefined. */
  value: string | undefined;
  /** How it is shown in a command's text. */
  shown: string;
}

class Reader {
  readonly commands: SimpleCommand[] = [];
  readonly obstacles: Obstacle[] = [];
  private readonly sh: Syntax;
  private readonly source: Buffer;

  constructor(sh: Syntax, source: Buffer) {
    this.sh = sh;
    this.source = source;
  }

  visit(node: Node): boolean {
    const type = this.sh.NodeType(node);
    switch (type) {
      case 'Stmt':
        this.statement(node as Stmt);
        break;
      case 'SglQuoted':
      case 'DblQuoted':
        if ((node as Quoted).Dollar) this.bashOnly(node, type === 'SglQuoted' ? "$'…'" : '$"…"');
        break;
      case 'ParamExp':
        this.parameter(node as ParamExp);
        break;
      case 'Assign':
        if ((node as Assign).Index || (node as Assign).Array) this.bashOnly(node, 'arrays');
        break;
      case 'ArithmExp':
        this.arithmetic(node as ArithmExp);
        break;
      default: {
        const bashOnly = BASH_ONLY_NODES.get(type);
        if (bashOnly !== undefined) this.bashOnly(node, bashOnly);
      }
    }
    return true;
  }

  private statement(stmt: Stmt): void {
    const cmd = stmt.Cmd;
    const type = cmd ? this.sh.NodeType(cmd) : undefined;
    const words: string[] = [];
    let nameAt = -1;
    let name: string | undefined;
    if (type === 'CallExpr') {
      const call = cmd as CallExpr;
      words.push(...call.Assigns.map((a) => this.assignment(a)));
      const [first, ...args] = call.Args;
      if (first) {
        const view = this.word(first, true);
        if (view.value === undefined) {
          this.obstacles.push({
            snippet: this.text(first),
            reason:
              'the command name is known only once the line runs (it has an expansion: $…, $(…), a glob, braces or ~), so no pattern can vouch for it; write the name literally',
          });
        }
        name = view.value;
        nameAt = words.push(view.shown) - 1;
        words.push(...args.map((w) => this.word(w).shown));
      }
    } else if (type === 'DeclClause') {
      const decl = cmd as DeclClause;
      name = decl.Variant.Value;
      nameAt = words.push(name) - 1;
      words.push(...decl.Args.map((a) => this.assignment(a)));
    } else if (cmd !== null) {
      return; // a compound command: its parts are statements of their own
    }
    words.push(...stmt.Redirs.map((r) => this.redirect(r)));
    if (words.length === 0) return;
    this.commands.push({
      text: words.join(' '),
      name,
      withName: (other) => words.map((w, i) => (i === nameAt ? other : w)).join(' '),
    });
  }

  private assignment(assign: Assign): string {
    if (assign.Index || assign.Array || (!assign.Name && !assign.Value)) return this.text(assign);
    if (assign.Naked) {
      return assign.Value ? this.word(assign.Value).shown : (assign.Name?.Value ?? '');
    }
    const value = assign.Value ? this.word(assign.Value).shown : '';
    return `${assign.Name?.Value ?? ''}${assign.Append ? '+=' : '='}${value === "''" ? '' : value}`;
  }

  private redirect(redirect: Redirect): string {
    // The operator (with its fd number) as written, then the target: `2>&1`, `>out`, `<<EOF`.
    const operator = this.slice(redirect.Pos().Offset(), redirect.Word.Pos().Offset());
    return operator.replace(/\s+/g, '') + this.word(redirect.Word).shown;
  }

  private parameter(param: ParamExp): void {
    const bashOnly =
      param.Excl ||
      param.Width ||
      param.Index !== null ||
      param.Slice !== null ||
      param.Repl !== null ||
      param.Names !== 0 ||
      (param.Exp !== null && param.Exp.Op >= FIRST_BASH_PARAM_OP);
    if (bashOnly) this.bashOnly(param, 'this form of ${…}');
  }

  // Under bash, a variable's value used in arithmetic is itself evaluated as an expression, and
  // an array subscript in it runs command substitutions: with x='a[$(rm -rf ~)]', `$((x))`
  // runs rm. So arithmetic may hold only numbers and the shell's own numeric parameters.
  private arithmetic(arithm: ArithmExp): void {
    let safe = true;
    this.sh.Walk(arithm.X, (node) => {
      if (!node || !safe) return false;
      const type = this.sh.NodeType(node);
      if (type === 'Lit') safe = NUMBER.test((node as Lit).Value);
      else if (type === 'ParamExp') {
        const p = node as ParamExp;
        safe = p.Param !== null && NUMERIC_PARAMS.has(p.Param.Value) && !p.Length && !p.Exp;
        return false;
      } else safe = ['Word', 'BinaryArithm', 'UnaryArithm', 'ParenArithm'].includes(type);
      return safe;
    });
    if (!safe) {
      this.obstacles.push({
        snippet: this.text(arithm),
        reason:
          "arithmetic on a variable or a command's output: bash evaluates such a value as an expression, which can run commands (x='a[$(cmd)]') the allowlist never sees; use literal numbers",
      });
    }
  }

  private bashOnly(node: Node, what: string): void {
    this.obstacles.push({
      snippet: this.text(node),
      reason: `${what} is bash-only syntax, and jobs run with /bin/sh, which may be dash and read the line differently; write it in POSIX sh`,
    });
  }

  /** A word's value if it is fixed text, and how it is shown. */
  private word(word: Word, asName = false): WordView {
    let value = '';
    // The unquoted characters that expand (`*`, `?`, `[…]`, `{…}`, a leading `~`); quoted or
    // escaped ones stand as 'a'.
    let active = '';
    for (const part of word.Parts) {
      const type = this.sh.NodeType(part);
      if (type === 'Lit') {
        const { text, pattern } = unescapeUnquoted((part as Lit).Value);
        value += text;
        active += pattern;
      } else if (type === 'SglQuoted' && !(part as Quoted).Dollar) {
        value += (part as Quoted).Value;
        active += 'a'.repeat((part as Quoted).Value.length);
      } else if (type === 'DblQuoted' && !(part as Quoted).Dollar) {
        const inner = (part as Quoted).Parts;
        if (!inner.every((p) => this.sh.NodeType(p) === 'Lit')) return this.asWritten(word);
        const text = inner.map((p) => unescapeDoubleQuoted((p as Lit).Value)).join('');
        value += text;
        active += 'a'.repeat(text.length);
      } else {
        return this.asWritten(word);
      }
    }
    if (/[*?]|\[.*\]|\{.*\}|^~/s.test(active)) return this.asWritten(word);
    return { value, shown: quote(value, asName) };
  }

  private asWritten(word: Word): WordView {
    return { value: undefined, shown: this.text(word) };
  }

  private text(node: Node): string {
    return this.slice(node.Pos().Offset(), node.End().Offset());
  }

  // mvdan's offsets count UTF-8 bytes.
  private slice(start: number, end: number): string {
    return this.source.subarray(start, end).toString('utf8');
  }
}

/** Removes the backslashes of an unquoted literal; escaped characters become 'a' in `pattern`. */
function unescapeUnquoted(raw: string): { text: string; pattern: string } {
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
function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

function quote(value: string, asName: boolean): string {
  if ((asName ? BARE_NAME : BARE_WORD).test(value)) return value;
  // `A=x y` reads better as A='x y': the same word to the shell.
  const assignment = asName ? null : /^([A-Za-z_][A-Za-z0-9_]*\+?=)(.*)$/s.exec(value);
  if (assignment) return `${assignment[1]}${quote(assignment[2] ?? '', false)}`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
