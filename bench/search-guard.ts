// The cost of the regex guard on the ordinary path: a plain `FAIL` search over 50 MB through
// the guarded search (V8 asked whether its linear engine can run the pattern) beside the same
// search with a bare RegExp, in alternating rounds; and a lookaround search, which runs in a
// worker thread under the time budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { searchStream, searchWithRegex } from '../src/logs/search.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const ROUNDS = 10;
const SIZE = 50 * 1024 * 1024;
const options = { context: 2, maxMatches: 50, stream: 'stdout' } as const;

function logText(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < SIZE; i++) {
    const line =
      i % 100_003 === 7
        ? `  FAIL src/case-${i}.test.ts > it breaks`
        : `2024-05-01T12:00:00Z info worker ${i % 97} handled request ${i} in ${i % 1000} ms`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

export async function measureSearchGuard(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bgjobs-bench-search-'));
  try {
    const path = join(dir, 'stdout');
    writeFileSync(path, logText());
    const cap = 2 * SIZE;
    const guarded: number[] = [];
    const bare: number[] = [];
    const ratios: number[] = [];
    const budgeted: number[] = [];
    const time = async (search: () => Promise<unknown>): Promise<number> => {
      const began = performance.now();
      await search();
      return performance.now() - began;
    };
    const viaGuard = (): Promise<unknown> => searchStream(path, cap, 'FAIL', options);
    const viaBare = (): Promise<unknown> => searchWithRegex(path, cap, /FAIL/, options);
    const [a, b] = [await searchStream(path, cap, 'FAIL', options), await viaBare()];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error('the guarded and the bare search found different lines');
    }
    // Side by side, which goes first alternating, so that neither gains from the other's cache.
    for (let i = 0; i < ROUNDS; i++) {
      const first = i % 2 === 0 ? await time(viaGuard) : await time(viaBare);
      const second = i % 2 === 0 ? await time(viaBare) : await time(viaGuard);
      guarded.push(i % 2 === 0 ? first : second);
      bare.push(i % 2 === 0 ? second : first);
      ratios.push((guarded.at(-1) ?? 0) / (bare.at(-1) ?? 1));
    }
    for (let i = 0; i < 3; i++) {
      budgeted.push(await time(() => searchStream(path, cap, '(?<!x)FAIL', options)));
    }
    const g = summarize(guarded);
    const w = summarize(budgeted);
    return [
      {
        id: 'search_50mb_fail_guarded_ms',
        label: '`FAIL` over 50 MB, guarded search, beside a bare RegExp (median of ratios)',
        value: g.p50,
        unit: 'ms',
        baseline: { label: 'bare RegExp, same rounds', value: median(bare) },
        ratio: median(ratios),
        details: `${describeSummary(g)}; ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
        target: { kind: 'max', limit: 1.05, on: 'ratio' },
      },
      {
        id: 'search_50mb_lookaround_worker_ms',
        label: '`(?<!x)FAIL` over 50 MB, in a worker under the time budget',
        value: w.p50,
        unit: 'ms',
        baseline: { label: '`FAIL` guarded, same rounds', value: g.p50 },
        details: describeSummary(w),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
