// Proves: a search whose regex backtracks without bound on a long line — overlapping
// alternation under a repeat, with ignore_case — answers at once and leaves the engine serving,
// while ordinary ignore-case patterns still match as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
let jobId: string;
beforeAll(async () => {
  h = await openEngine();
  const job = await h.engine.execute(
    {
      command: `printf 'a%.0s' $(seq 30000); echo; echo 'WARN: Disk low'; echo 'Build FAILED'; echo '    At main (x.js:1)'`,
    },
    { caller: h.caller },
  );
  jobId = job.job_id;
  await h.engine.wait({ job_id: jobId, until: 'exit', timeout_s: 20 });
});
afterAll(async () => {
  await h.close();
});

describe('search with hostile regexes', () => {
  for (const pattern of ['(a|aa)+b', '^(a|a?)+$', '(a|a)*b', '(A|aA)+B', '(.*a){12}$']) {
    it(`answers ${pattern} with ignore_case at once`, async () => {
      // Backtracking would run for years, blocking this thread: answering at all is the proof.
      const answer: unknown = await h.engine
        .search({ job_id: jobId, pattern, ignore_case: true })
        .catch((error: unknown) => error);
      expect(answer).toBeDefined();
      expect((await h.engine.list({ all: true })).jobs.length).toBeGreaterThan(0);
    }, 10_000);
  }

  it('keeps ordinary ignore-case patterns working', async () => {
    const texts = async (pattern: string): Promise<string[]> =>
      (
        await h.engine.search({ job_id: jobId, pattern, ignore_case: true, context: 0 })
      ).matches.map((match) => match.text);
    expect(await texts('error|warn')).toEqual(['WARN: Disk low']);
    expect(await texts('fail(ed|ure)')).toEqual(['Build FAILED']);
    expect(await texts(String.raw`^\s*at .*\(`)).toEqual(['    At main (x.js:1)']);
    expect(await texts('^[A-Z]+$')).toHaveLength(1);
  });
});
