// One parse tree of a command line, read the way the allowlist needs it: its simple commands,
// the constructs it cannot see through, and where its redirections write (see shell-parse.ts).
import {
  type Node,
  type Lit,
  type Word,
  type Quoted,
  type ParamExp,
  type Assign,
  type Redirect,
  type CallExpr,
  type DeclClause,
  type Stmt,
  type ArithmExp,
  type Syntax,
} from './shell-syntax.js';
import { unescapeUnquoted, unescapeDoubleQuoted, quote } from './shell-quote.js';

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

/** A redirection that may write a file: `>`, `>>`, `>|`, `&>`, `&>>`, `<>`, `>&word`, `N>…`. */
export interface Write {
  /** The redirection as written: `>> ~/.bashrc`. */
  snippet: string;
  /** The operator with its descriptor: `>>`, `2>`, `>&`, `<>`. */
  operator: string;
  /** The target when it is fixed text; undefined when it expands ($VAR, $(…), ~, a glob). */
  target: string | undefined;
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

interface WordView {
  /** The word's value when it is fixed text (no expansion of any kind), else undefined. */
  value: string | undefined;
  /** How it is shown in a command's text. */
  shown: string;
}

export class Reader {
  readonly commands: SimpleCommand[] = [];
  readonly obstacles: Obstacle[] = [];
  readonly writes: Write[] = [];
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
    // Compound commands take redirections too: `{ …; } > file`, `done >> file`.
    for (const redirect of stmt.Redirs) this.noteWrite(redirect);
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
    return this.operator(redirect) + this.word(redirect.Word).shown;
  }

  private operator(redirect: Redirect): string {
    return this.slice(redirect.Pos().Offset(), redirect.Word.Pos().Offset()).replace(/\s+/g, '');
  }

  // Every operator that can open a file for writing has a `>`; `<`, `<&`, `<<`, `<<<` read.
  private noteWrite(redirect: Redirect): void {
    const operator = this.operator(redirect);
    if (!operator.includes('>')) return;
    this.writes.push({
      snippet: this.text(redirect),
      operator,
      target: this.word(redirect.Word).value,
    });
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
