import { parentPort, workerData } from 'node:worker_threads';

import type { BudgetedSearch } from './search-budget.js';
import { searchNow, type SearchOptions } from './search.js';

// A search run by search-budget.ts: the answer, or the error, posted back once.
const request = workerData as BudgetedSearch;
try {
  const found = await searchNow(
    request.path,
    request.cap,
    request.pattern,
    request.options as SearchOptions,
  );
  parentPort?.postMessage({ ok: found });
} catch (error) {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  parentPort?.postMessage({
    error: { code, message: error instanceof Error ? error.message : String(error) },
  });
}
