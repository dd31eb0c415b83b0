/**
 * Where `run`'s command line ends and its options begin. The rule: bgjobs' options may stand
 * before or after the command (`bgjobs run 'npm run dev' --name dev`), never inside it; `--`
 * ends them, and everything after it belongs to the command. A dash that is not a bgjobs option
 * before `--` is refused with a hint, never handed to the command in silence.
 */

/** What the scan needs to know of an option: whether it takes the next word as its value. */
export type OptionLookup = (flag: string) => { takesValue: boolean } | undefined;

/** The command's words, or a usage error saying how to write the command line. */
export type RunWords = { words: string[] } | { error: string };

/** A shell word as a person would type it back: quoted when it holds anything special. */
function quoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits the words after `run` into the command's words, checking the rule above. Commander
 * parses the options themselves; this only tells which words are the command's.
 *
 * @example
 * runWords(['npm run dev', '--name', 'dev'], lookup); // { words: ['npm run dev'] }
 * runWords(['--', 'ls', '-la'], lookup); // { words: ['ls', '-la'] }
 * runWords(['ls', '-la'], lookup); // { error: '-la is not an option of bgjobs run. …' }
 */
export function runWords(args: readonly string[], lookup: OptionLookup): RunWords {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  const after = end === -1 ? [] : args.slice(end + 1);
  const words: string[] = [];
  const unknown: string[] = [];
  // Where the command's words stand among the options, and the bgjobs options found.
  const wordAt: number[] = [];
  const optionAt: { flag: string; at: number }[] = [];
  for (let index = 0; index < options.length; index++) {
    const arg = options[index] ?? '';
    const [flag = arg, value] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const option = arg.startsWith('-') && arg !== '-' ? lookup(flag) : undefined;
    if (option === undefined) {
      if (arg.startsWith('-') && arg !== '-') unknown.push(arg);
      words.push(arg);
      wordAt.push(index);
      continue;
    }
    optionAt.push({ flag, at: index });
    if (option.takesValue && value === undefined) index++;
  }
  const first = wordAt[0];
  const last = after.length > 0 ? options.length : wordAt.at(-1);
  const inside = optionAt.find(
    ({ at }) => first !== undefined && last !== undefined && at > first && at < last,
  );
  const typed =
    first === undefined
      ? after
      : [
          ...options.slice(first, last === options.length ? undefined : (last ?? first) + 1),
          ...after,
        ];
  if (unknown.length > 0) return { error: unknownHint(unknown, typed) };
  if (inside !== undefined) return { error: insideHint(inside.flag, typed) };
  return { words: [...words, ...after] };
}

/** How the command line was typed, given back whole: inside quotes, or after `--`. */
function remedy(typed: string[]): string {
  const line = typed.join(' ');
  return `quote the whole command line, bgjobs run ${quoted(line)}, or end bgjobs' options with --: bgjobs run -- ${line}`;
}

function unknownHint(unknown: string[], typed: string[]): string {
  const which =
    unknown.length === 1
      ? `${unknown[0]} is not an option`
      : `${unknown.join(' ')} are not options`;
  const them = unknown.length === 1 ? 'it' : 'them';
  return `${which} of bgjobs run. To give ${them} to the command, ${remedy(typed)}`;
}

function insideHint(flag: string, typed: string[]): string {
  return `${flag} stands inside the command line (${typed.join(' ')}), where bgjobs cannot tell whose it is: its options go before or after the command. If ${flag} is the command's, ${remedy(typed)}`;
}
