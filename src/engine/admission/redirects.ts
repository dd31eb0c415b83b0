import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { SimpleCommand, Write } from './shell-parse.js';

/**
 * Where a command line's redirections may write under an allowlist (BGJOBS_ALLOW_REDIRECTS):
 * `cwd` (the default) inside the job's working directory, `any` anywhere (no check), `none`
 * nowhere but /dev/null and other descriptors.
 */
export const REDIRECT_MODES = ['cwd', 'any', 'none'] as const;
export type RedirectMode = (typeof REDIRECT_MODES)[number];

export interface RedirectPolicy {
  mode: RedirectMode;
  /** The job's working directory: relative targets are resolved against it. */
  cwd: string;
}

// The job's own streams and the bit bucket: writing there creates nothing.
const HARMLESS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
// `>&2`, `2>&1`, `>&-`, `3>&1-`: a descriptor, not a file.
const DESCRIPTOR = /^(?:\d+-?|-)$/;
// Builtins that move the shell itself, after which a relative path means somewhere else.
const MOVES_DIR = new Set(['cd', 'pushd', 'popd']);

/**
 * Says why one of WRITES breaks POLICY, or undefined when none does. A target is placed the way
 * the kernel will open it: through every symlink that exists now, `..` taken from the real
 * folder; a target known only at run time (`$VAR`, `$(…)`, `~`, a glob), a `..` after a folder
 * that does not exist yet, a dangling symlink, or a relative target in a line that runs `cd`
 * cannot be placed, and is refused.
 *
 * @example
 * redirectProblem(writesOf("echo x >> ~/.bashrc"), commands, { mode: 'cwd', cwd: '/repo' });
 * // → 'where `>> ~/.bashrc` writes is known only when the line runs (…)'
 */
export function redirectProblem(
  writes: readonly Write[],
  commands: readonly SimpleCommand[],
  policy: RedirectPolicy,
): { snippet: string; why: string } | undefined {
  if (policy.mode === 'any') return undefined;
  const movesDir = commands.some((c) => c.name !== undefined && MOVES_DIR.has(c.name));
  const root = realpathSync(policy.cwd);
  for (const write of writes) {
    const why = problemOf(write, policy.mode, root, movesDir);
    if (why !== undefined) return { snippet: write.snippet, why };
  }
  return undefined;
}

function problemOf(
  write: Write,
  mode: RedirectMode,
  root: string,
  movesDir: boolean,
): string | undefined {
  const { target, snippet } = write;
  if (write.operator.endsWith('&') && target !== undefined && DESCRIPTOR.test(target)) return;
  if (target === undefined) {
    return `where \`${snippet}\` writes is known only when the line runs (it has $…, $(…), ~ or a glob); write the path literally`;
  }
  if (HARMLESS.has(target)) return undefined;
  if (mode === 'none') {
    return `\`${snippet}\` writes a file, and BGJOBS_ALLOW_REDIRECTS=none allows only /dev/null and descriptors (2>&1)`;
  }
  if (movesDir && !target.startsWith('/')) {
    return `\`${snippet}\` is relative and the line changes directory (cd), so where it writes is known only when the line runs; give the path from the job's working directory without cd`;
  }
  const place = placeOf(root, target);
  if (place === 'dangling') {
    return `\`${snippet}\` writes through a symlink that points to nothing yet, which would create its target wherever it points`;
  }
  if (place === undefined) {
    return `\`${snippet}\` climbs (..) out of a folder that does not exist yet, so where it writes is known only when the line runs`;
  }
  if (place.path === root || place.path.startsWith(`${root}/`)) return undefined;
  return `\`${snippet}\` writes to ${place.path}, outside the job's working directory ${root}`;
}

/** Where a target opens: a real path, or why it cannot be known now. */
type Place = { path: string } | 'dangling' | undefined;

/**
 * The real path TARGET opens from ROOT (a real path); the part that does not exist yet is
 * appended as written. 'dangling' for a symlink to nothing; undefined for a `..` past a folder
 * that does not exist (it may be made, as a symlink, before the redirection runs).
 */
function placeOf(root: string, target: string): Place {
  const parts = target.split('/').filter((part) => part !== '' && part !== '.');
  let current = target.startsWith('/') ? '/' : root;
  for (const [i, part] of parts.entries()) {
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    try {
      current = realpathSync(next);
    } catch {
      if (exists(next)) return 'dangling';
      const rest = parts.slice(i);
      return rest.includes('..') ? undefined : { path: join(current, ...rest) };
    }
  }
  return { path: current };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
