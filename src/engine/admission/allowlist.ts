import { BgError, ErrorCode } from '../../api/errors.js';
import { redirectProblem, type RedirectPolicy } from './redirects.js';
import { analyzeCommandLine, type SimpleCommand } from './shell-parse.js';

/**
 * Commands that run code the parser never sees — shell text (`eval`, `sh -c`, `source`, `trap`,
 * `alias`) or another command given as arguments (`exec`, `env`, `xargs`, `sudo`…). Each needs a
 * pattern that names it: one that would match any command name (`.*`, `^(?!rm)`) does not count.
 */
const OPAQUE = new Set([
  // shells
  ...['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'lksh', 'pdksh', 'oksh', 'yash'],
  ...['posh', 'rbash', 'fish', 'csh', 'tcsh', 'busybox'],
  // builtins that run text, or change what a name runs
  ...['eval', 'source', '.', 'trap', 'alias', 'enable', 'hash', 'fc', 'exec', 'command'],
  'builtin',
  // commands that run the command in their arguments
  ...['env', 'nohup', 'nice', 'ionice', 'chrt', 'taskset', 'timeout', 'time', 'xargs', 'parallel'],
  ...['sudo', 'doas', 'su', 'runuser', 'setsid', 'stdbuf', 'unbuffer', 'chroot', 'flock'],
  ...['watch', 'script', 'strace', 'ltrace', 'systemd-run'],
]);

// Names put in place of an opaque command's name: a pattern that still matches does not name it.
const STAND_INS = ['x', 'zz-unlisted-command'];

const HOW_TO_EXTEND =
  'The allowlist is set by BGJOBS_ALLOWED_COMMANDS (or MCP_BG_ALLOWED_COMMANDS): run only ' +
  'commands it allows, or ask the user to extend it.';

/**
 * Refuses a command line unless every simple command in it is allowed. Throws a `not_allowed`
 * BgError naming the first command refused; an invalid pattern is a `config` error.
 *
 * The line is parsed as POSIX sh and as bash (jobs run with /bin/sh, which may be either), and
 * every simple command of both readings is checked: those after `;`, `&&`, `||`, `|`, `&` and
 * newlines, inside `$(…)`, backquotes, subshells, `{ …; }`, if/while/for/case, function bodies,
 * `${x:-$(…)}`, heredocs, assignments (`A=$(id) ls`) and redirections (`ls >$(id)`).
 *
 * Matching: a pattern is a JavaScript regular expression, matched case-sensitively against a
 * simple command's text and anchored at its start (`^(?:pattern)`), so `^git ` and `git status`
 * both allow `git status -s` but not `sudo git status`. A command's text is its
 * assignments, its words and its redirections (`A=1 git status >out 2>&1`); fixed words show
 * their value, quoted only when they need it (`echo "a; rm"` → `echo 'a; rm'`), and words with
 * expansions show as written (`ls $DIR`). mcp-background-job, whose MCP_BG_ALLOWED_COMMANDS this
 * honours, searches its patterns anywhere in the whole line, ignoring case: an unanchored
 * pattern like `npm` would allow `rm -rf / ; npm`, so each command here must match from its
 * start; case counts because command names do. Anchor the end too (`^git status$`) to pin args.
 *
 * Refused whatever the patterns say:
 * - a line that does not parse, as POSIX sh or as bash (the parser's message is given);
 * - a command name worked out at run time (`$CMD x`, `$(echo rm) x`, `r?`, `~/bin/x`);
 * - bash-only syntax (`$'…'`, `[[ ]]`, arrays, `<(…)`, `${!x}`…), which dash reads differently;
 * - arithmetic on variables (`$((x))`): bash evaluates their values as code.
 *
 * `eval`, `exec`, `source`/`.`, `sh`/`bash` (with `-c` or not), `env`, `xargs`, `sudo` and the
 * like (see `OPAQUE`) run code the parser cannot see, so they are allowed only by a pattern that
 * names them: one that also matches the same command under another name (`.*`, `^\S+ -c`,
 * `^(?!rm)`) does not count. What an allowed program does with its arguments is its own
 * business: allowing `^find ` allows `find -exec`, `^python` allows `python -c`, `^npm run`
 * runs package.json scripts.
 *
 * With REDIRECTS (what execute always gives), the line's redirections are held to it once its
 * commands pass (see redirects.ts): by default they may write only inside the job's cwd, so
 * `^echo ` does not allow `echo … >> ~/.bashrc`.
 *
 * @example
 * checkAllowed('git status && npm test 2>&1 | tee log', ['^git ', '^npm test', '^tee ']); // ok
 * checkAllowed('git status; rm -rf ~', ['^git ']); // throws not_allowed naming `rm -rf ~`
 */
export function checkAllowed(
  command: string,
  patterns: readonly string[],
  redirects?: RedirectPolicy,
): void {
  const allowlist = compile(patterns);
  const analysis = analyzeCommandLine(command);
  if (!analysis.ok) {
    throw refusal(
      `the line does not parse as ${analysis.reading} (${analysis.error}), so the allowlist ` +
        'cannot check it. Fix the syntax: under an allowlist a line must read as both POSIX sh ' +
        'and bash.',
      { command, reason: 'syntax' },
    );
  }
  const [obstacle] = analysis.obstacles;
  if (obstacle) {
    throw refusal(`\`${clip(obstacle.snippet)}\`: ${obstacle.reason}.`, {
      command: obstacle.snippet,
      reason: 'unsupported',
    });
  }
  for (const simple of analysis.commands) {
    const opaque = opaqueName(simple);
    if (opaque !== undefined) {
      if (!allowlist.some((re) => namesCommand(re, simple, opaque))) {
        throw refusal(
          `\`${clip(simple.text)}\` runs code the allowlist cannot see (${opaque}), so it needs ` +
            `a pattern that names ${opaque}, like ^${escapeRegExp(opaque)} ; a pattern that ` +
            'matches any command name does not count.',
          { command: simple.text, reason: 'opaque' },
        );
      }
    } else if (!allowlist.some((re) => re.test(simple.text))) {
      throw refusal(
        `\`${clip(simple.text)}\` matches none of the allowed patterns (${patterns.join(', ')}). ` +
          'Every simple command of the line (after ;, &&, |, inside $(…)…) must match one ' +
          'pattern from its start.',
        { command: simple.text, reason: 'unlisted' },
      );
    }
  }
  const problem = redirects && redirectProblem(analysis.writes, analysis.commands, redirects);
  if (problem) {
    throw refusal(
      `${problem.why}. Under an allowlist a redirection may write only inside the job's ` +
        'working directory, to /dev/null or to another descriptor (2>&1), unless ' +
        'BGJOBS_ALLOW_REDIRECTS=any says otherwise.',
      { command: problem.snippet, reason: 'redirect' },
    );
  }
}

/**
 * The simple commands of a command line, as the allowlist sees them (see `checkAllowed`), from
 * its POSIX sh and bash readings. Throws `invalid_input` if the line does not parse.
 *
 * @example
 * simpleCommands('A=$(id) git "st"atus >out; echo "a; b"'); // ['id', 'A=$(id) git status >out', "echo 'a; b'"]
 */
export function simpleCommands(command: string): string[] {
  const analysis = analyzeCommandLine(command);
  if (!analysis.ok) {
    throw new BgError(
      ErrorCode.invalidInput,
      `The command line does not parse as ${analysis.reading}: ${analysis.error}. Fix the syntax.`,
    );
  }
  return analysis.commands.map((c) => c.text);
}

const compiled = new Map<string, RegExp>();

function compile(patterns: readonly string[]): RegExp[] {
  return patterns.map((pattern) => {
    let re = compiled.get(pattern);
    if (!re) {
      try {
        re = new RegExp(`^(?:${pattern})`);
      } catch {
        throw new BgError(
          ErrorCode.config,
          `Allowed-commands pattern "${pattern}" is not a valid regular expression. Fix ` +
            'BGJOBS_ALLOWED_COMMANDS (or MCP_BG_ALLOWED_COMMANDS) and start again.',
          { data: { pattern } },
        );
      }
      compiled.set(pattern, re);
    }
    return re;
  });
}

/** The basename of the command's name if it is one that runs code the parser cannot see. */
function opaqueName(simple: SimpleCommand): string | undefined {
  if (simple.name === undefined) return undefined;
  const base = simple.name.slice(simple.name.lastIndexOf('/') + 1);
  return OPAQUE.has(base) ? base : undefined;
}

/** True when `re` allows the command and would not allow it under another name. */
function namesCommand(re: RegExp, simple: SimpleCommand, base: string): boolean {
  if (!re.test(simple.text)) return false;
  const dir = (simple.name ?? '').slice(0, -base.length);
  return STAND_INS.every((standIn) => !re.test(simple.withName(dir + standIn)));
}

function refusal(what: string, data: Record<string, unknown>): BgError {
  return new BgError(ErrorCode.notAllowed, `Command not allowed: ${what} ${HOW_TO_EXTEND}`, {
    data,
  });
}

function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
