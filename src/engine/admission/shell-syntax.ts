// The parts of mvdan-sh's API the shell parser uses, and its loader.
import { createRequire } from 'node:module';

// ── the parts of mvdan-sh's API used here (its nodes mirror mvdan.cc/sh/v3/syntax) ──────────
export interface Pos {
  Offset(): number;
}
export interface Node {
  Pos(): Pos;
  End(): Pos;
}
export interface Lit extends Node {
  Value: string;
}
export interface Word extends Node {
  Parts: Node[];
}
export interface Quoted extends Node {
  Dollar: boolean;
  Value: string; // SglQuoted
  Parts: Node[]; // DblQuoted
}
export interface ParamExp extends Node {
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
export interface Assign extends Node {
  Append: boolean;
  Naked: boolean;
  Name: Lit | null;
  Index: Node | null;
  Value: Word | null;
  Array: Node | null;
}
export interface Redirect extends Node {
  Word: Word;
}
export interface CallExpr extends Node {
  Assigns: Assign[];
  Args: Word[];
}
export interface DeclClause extends Node {
  Variant: Lit;
  Args: Assign[];
}
export interface Stmt extends Node {
  Cmd: Node | null;
  Redirs: Redirect[];
}
export interface ArithmExp extends Node {
  X: Node;
}
export interface Syntax {
  NewParser(...options: unknown[]): { Parse(src: string, name: string): Node };
  Variant(lang: unknown): unknown;
  LangBash: unknown;
  LangPOSIX: unknown;
  Walk(node: Node, visit: (node: Node | null) => boolean): void;
  NodeType(node: Node): string;
}

let loaded: Syntax | undefined;

// Loaded on first use only (~150 ms): a bgjobs without an allowlist never pays for it.
export function syntax(): Syntax {
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
