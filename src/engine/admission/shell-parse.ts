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
import { syntax, type Node } from './shell-syntax.js';
import { Reader, type Obstacle, type SimpleCommand, type Write } from './shell-reader.js';

export type { Obstacle, SimpleCommand, Write };

export type Analysis =
  | { ok: true; commands: SimpleCommand[]; obstacles: Obstacle[]; writes: Write[] }
  | { ok: false; reading: 'POSIX sh' | 'bash'; error: string };

/** Parses `line` as POSIX sh and as bash, and lists the simple commands and obstacles of both. */
export function analyzeCommandLine(line: string): Analysis {
  const sh = syntax();
  const source = Buffer.from(line, 'utf8');
  const commands = new Map<string, SimpleCommand>();
  const obstacles = new Map<string, Obstacle>();
  const writes = new Map<string, Write>();
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
    for (const write of reader.writes) writes.set(`${write.operator} ${write.snippet}`, write);
  }
  return {
    ok: true,
    commands: [...commands.values()],
    obstacles: [...obstacles.values()],
    writes: [...writes.values()],
  };
}

function parseErrorMessage(error: unknown): string {
  // mvdan's ParseError arrives as a GopherJS object with an `Error()` method, like "1:6: …".
  const withError = error as { Error?: () => string } | null;
  if (typeof withError?.Error === 'function') return withError.Error();
  return error instanceof Error ? error.message : String(error);
}
