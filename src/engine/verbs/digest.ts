import { DIGEST_MATCHES, type Digest } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import { tailStream } from '../../logs/reader.js';
import { searchStream } from '../../logs/search.js';
import type { JobRecord } from '../model.js';
import type { EngineContext } from '../context.js';

export interface DigestAsk {
  /** Last lines of each stream; 0 for none. */
  tailLines: number;
  /** A regex whose matching lines come back too. */
  search?: string | undefined;
}

/**
 * What a wait brings back of a job whose wait ended, so the caller's next question ("what did it
 * print last?", "which tests failed?") needs no further call: the last lines of each stream and,
 * with `search`, the matching lines. The same reads as `tail` and `search`, so it says the same
 * and is as honest about what it cut. Null when nothing was asked.
 */
export async function digestJob(
  ctx: Pick<EngineContext, 'folders'>,
  job: JobRecord,
  ask: DigestAsk,
): Promise<Digest | null> {
  if (ask.tailLines === 0 && ask.search === undefined) return null;
  const paths = ctx.folders.paths(job.id);
  const final = isFinal(job.status);
  const tail = (path: string): { text: string; truncated: boolean } =>
    ask.tailLines === 0
      ? { text: '', truncated: false }
      : tailStream(path, job.maxOutputBytes, ask.tailLines, { raw: false, final });
  const stdout = tail(paths.stdout);
  const stderr = tail(paths.stderr);
  const digest: Digest = {
    stdout: stdout.text,
    stderr: stderr.text,
    truncated: stdout.truncated || stderr.truncated,
    matches: null,
    more_matches: false,
  };
  if (ask.search === undefined) return digest;
  digest.matches = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const left = DIGEST_MATCHES - digest.matches.length;
    const found = await searchStream(paths[stream], job.maxOutputBytes, ask.search, {
      context: 0,
      maxMatches: Math.max(1, left),
      stream,
    });
    // With no room left, the search only tells whether there is more.
    const kept = found.matches.slice(0, left);
    digest.matches.push(...kept.map(({ line, text }) => ({ stream, line, text })));
    digest.more_matches ||= found.truncated || kept.length < found.matches.length;
  }
  return digest;
}
