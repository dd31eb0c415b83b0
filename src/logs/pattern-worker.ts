import { parentPort, workerData } from 'node:worker_threads';

import { firstMatch, type WorkerPatterns } from './pattern-budget.js';

// Tests texts for pattern-budget.ts, one message at a time, until it is ended.
const { patterns } = workerData as WorkerPatterns;
const regexes = patterns.map(({ source, flags }) => new RegExp(source, flags));
parentPort?.on('message', (texts: string[]) => {
  try {
    parentPort?.postMessage({ found: firstMatch(regexes, texts) ?? null });
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
