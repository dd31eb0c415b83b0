// Invariants: with an allowlist, every simple command of a line must match a pattern from its
// start — including those hidden after ;, &&, ||, |, &, newlines, in $(…), backquotes,
// subshells, groups, if/while/for/case, functions, assignments, redirections, heredocs and
// ${x:-$(…)}; quoting is understood (a quoted `;` is an argument); a line that does not parse,
// a command name known only at run time, bash-only syntax, and arithmetic on variables are
// refused; code-running commands (eval, sh -c, source, exec, env…) need a pattern that names
// them; the line is read both as POSIX sh and as bash, so dash/bash disagreements cannot hide
// a command; mvdan-sh is loaded only when first needed.
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { checkAllowed, simpleCommands } from '../../src/engine/admission/allowlist.js';

const PATTERNS = ['^git ', '^echo( |$)', '^cat ', '^npm test', '^tee '];

function refusal(command: string, patterns: readonly string[] = PATTERNS): BgError {
  try {
    checkAllowed(command, patterns);
  } catch (error) {
    if (error instanceof BgError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(command)} to be refused`);
}

describe('loading the parser', () => {
  // First in the file: nothing here has parsed a line yet.
  it('loads mvdan-sh only when a line is first checked, and leaves no global require', () => {
    const loadedParser = () =>
      Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('mvdan-sh'));
    const hadRequire = 'require' in globalThis;
    expect(loadedParser()).toBe(false);
    expect(simpleCommands('git status')).toEqual(['git status']);
    expect(loadedParser()).toBe(true);
    expect('require' in globalThis).toBe(hadRequire);
  });
});

describe('allowed lines', () => {
  it.each([
    'git status',
    'git log --oneline -n 5',
    'npm test -- --watch=false',
    'git status && npm test 2>&1 | tee log.txt',
    'git status; echo done &',
    'git status # ; rm -rf ~',
    'echo "$HOME" $(( 1 + 2 * $# ))',
    'cat <<EOF\nhello $(echo nested)\nEOF',
    "cat <<'EOF'\n$(rm -rf ~)\nEOF",
    'for f in a b; do echo "$f"; done',
    'echo ${a:-1} ${b:=2} ${c:+3} ${d:?set d} ${e#x} ${f%%y} ${#g}',
  ])('allows %j', (line) => {
    expect(() => checkAllowed(line, PATTERNS)).not.toThrow();
  });

  it('treats a quoted ; as part of an argument', () => {
    expect(simpleCommands('echo "a; rm -rf ~"')).toEqual(["echo 'a; rm -rf ~'"]);
    expect(() => checkAllowed('echo "a; rm -rf ~"', ['^echo'])).not.toThrow();
  });

  it('matches a command by what runs, whatever the quoting', () => {
    expect(simpleCommands(`g"it" 'st'atus a\\ b`)).toEqual(["git status 'a b'"]);
    expect(() => checkAllowed(`g"it" status`, ['^git status$'])).not.toThrow();
  });

  it('shows assignments, words and redirections, with expansions as written', () => {
    expect(simpleCommands('A=$(id) git "st"atus >out 2>&1')).toEqual([
      'A=$(id) git status >out 2>&1',
      'id',
    ]);
    // Offsets from the parser count UTF-8 bytes; slicing must not drift after a non-ASCII char.
    expect(simpleCommands('echo "ü" $(date)')).toEqual(["echo 'ü' $(date)", 'date']);
  });

  it('anchors each pattern at the start of the command, and counts case', () => {
    expect(() => checkAllowed('git status', ['status'])).toThrow(BgError);
    expect(() => checkAllowed('git status', ['git|npm'])).not.toThrow();
    expect(() => checkAllowed('rm -rf x; npm test', ['git|npm'])).toThrow(/`rm -rf x`/);
    expect(() => checkAllowed('GIT status', ['^git '])).toThrow(BgError);
  });
});

describe('hidden commands', () => {
  // `rm x` hidden in each construct is refused; the same line with `echo ok` in its place is
  // allowed, so the refusal is the hidden command's and not the construct's.
  const hiding: [string, string][] = [
    ['after ;', 'git status; HIDDEN'],
    ['after &&', 'git status && HIDDEN'],
    ['after ||', 'git status || HIDDEN'],
    ['after |', 'git status | HIDDEN'],
    ['after &', 'git status & HIDDEN'],
    ['after a newline', 'git status\nHIDDEN'],
    ['in $(…)', 'echo $(HIDDEN)'],
    ['in nested $(…)', 'echo "$(echo "$(HIDDEN)")"'],
    ['in backquotes', 'echo `HIDDEN`'],
    ['in a subshell', '(HIDDEN)'],
    ['in a group', '{ git status; HIDDEN; }'],
    ['in an if', 'if git status; then HIDDEN; fi'],
    ['in an if condition', 'if HIDDEN; then echo; fi'],
    ['in a while', 'while git status; do HIDDEN; done'],
    ['in a for', 'for f in a b; do HIDDEN; done'],
    ['in a for list', 'for f in $(HIDDEN); do echo; done'],
    ['in a case', 'case a in a) HIDDEN;; esac'],
    ['in a case pattern', 'case a in $(HIDDEN)) echo;; esac'],
    ['in a function body', 'f() { HIDDEN; }'],
    ['in an assignment', 'x=$(HIDDEN)'],
    ['in an assignment before a command', 'x=$(HIDDEN) git status'],
    ['in a redirection target', 'git status >$(HIDDEN)'],
    ['in a heredoc', 'cat <<EOF\n$(HIDDEN)\nEOF'],
    ['in ${x:-…}', 'echo ${x:-$(HIDDEN)}'],
    ['in ${x#…}', 'echo "${x#$(HIDDEN)}"'],
  ];

  it.each(hiding)('refuses a command %s', (_, template) => {
    const error = refusal(template.replace('HIDDEN', 'rm x'), [...PATTERNS, '^x=']);
    expect(error.code).toBe('not_allowed');
    expect(error.message).toContain('`rm x`');
    expect(error.message).toContain('BGJOBS_ALLOWED_COMMANDS');
    expect(error.data).toMatchObject({ command: 'rm x' });
    const control = template.replace('HIDDEN', 'echo ok');
    expect(() => checkAllowed(control, [...PATTERNS, '^x='])).not.toThrow();
  });

  it('checks assignments and bare redirections as commands of their own', () => {
    expect(refusal('PATH=/tmp/evil git status').message).toContain('`PATH=/tmp/evil git status`');
    expect(refusal('PATH=/tmp/evil; git status').message).toContain('`PATH=/tmp/evil`');
    expect(refusal('>~/.profile').message).toContain('`>~/.profile`');
  });
});

describe('lines the allowlist cannot check', () => {
  it.each([
    ['git status "', 'reached EOF without closing quote'],
    ['git status; )', 'POSIX sh'],
    ['echo $((', '$(( must be followed by an expression'],
    ['echo ${x/a/b}', 'bash/mksh feature'],
  ])('refuses %j, which does not parse, with the parser message', (line, message) => {
    const error = refusal(line, ['.*']);
    expect(error.code).toBe('not_allowed');
    expect(error.message).toContain('does not parse');
    expect(error.message).toContain(message);
  });

  it.each(['$CMD status', '"$CMD" status', '$(echo rm) x', '`echo rm` x', 'r? x', '{rm,x}', '~/x'])(
    'refuses %j, whose command name is known only at run time, even with ".*"',
    (line) => {
      expect(refusal(line, ['.*']).message).toContain('the command name is known only once');
    },
  );

  it.each(['[[ -f x ]] && git status', 'git diff <(git show)', 'echo $"x"', '((x))'])(
    'refuses bash-only syntax: %j',
    (line) => {
      expect(refusal(line, ['.*']).message).toMatch(/bash-only|does not parse/);
    },
  );

  it('refuses arithmetic on variables, which bash evaluates as code', () => {
    expect(refusal('echo $((x))', ['.*']).message).toContain('arithmetic');
    expect(refusal('echo $(( $(cat n) + 1 ))', ['.*']).message).toContain('arithmetic');
  });

  it('reads the line as dash and as bash, so neither can hide a command from the other', () => {
    // dash ends $'…' at the first quote and runs rm; bash reads one echo.
    const dash = "echo $'a\\'; rm -rf ~; #'";
    expect(simpleCommands(dash)).toContain('rm -rf ~');
    // bash reads $'\'' as one quote and runs rm; dash reads one echo.
    const bash = "echo $'\\'' ; rm x ; echo '\\'";
    expect(simpleCommands(bash)).toContain('rm x');
    for (const line of [dash, bash]) expect(() => checkAllowed(line, ['^echo '])).toThrow(BgError);
  });
});

describe('commands that run code the parser cannot see', () => {
  it.each([
    ['eval git status', '^eval '],
    ["sh -c 'git status'", '^sh -c '],
    ['bash -c x', '^(sh|bash) -c'],
    ['/bin/sh -c x', '^/bin/sh -c'],
    ['exec git status', '^exec git '],
    ['. ./env.sh', '^\\. '],
    ['source env.sh', '^source '],
    ['env rm x', '^env '],
    ['git ls-files | xargs rm', '^xargs rm'],
  ])('refuses %j under generic patterns, allows it under one naming it (%s)', (line, naming) => {
    for (const generic of ['.*', '^\\S+', '^(?!rm)', '^[a-z/.]+ ', '^.*sh -c']) {
      if (line.includes('sh -c') && generic === '^.*sh -c') continue; // that one does name sh
      const error = refusal(line, ['^git ', generic]);
      expect(error.message).toContain('runs code the allowlist cannot see');
    }
    expect(() => checkAllowed(line, ['^git ', naming])).not.toThrow();
  });

  it('lets a generic pattern allow ordinary commands', () => {
    expect(() => checkAllowed('rm -rf build && make', ['.*'])).not.toThrow();
  });
});

describe('patterns', () => {
  it('refuses everything when the list is empty', () => {
    expect(refusal('git status', []).code).toBe('not_allowed');
  });

  it('reports an invalid pattern as a config error', () => {
    expect(refusal('git status', ['(']).code).toBe('config');
  });
});
