import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { BgError, ErrorCode } from '../api/errors.js';
import { searchBudgetMs as budgetSetting } from '../config.js';

/**
 * Running a search whose regex V8 cannot bound (see regex.ts: `needsTimeBudget`) in a worker
 * thread that is ended when its time budget is spent: a regex cannot be interrupted on the
 * thread that runs it, but a worker's can. The budget is BGJOBS_SEARCH_BUDGET_MS (default 30 s)
 * for the whole search, worker start included; a search past it is an `invalid_input` error
 * saying the pattern is too slow and what to change.
 */

/** What the worker is asked: the arguments of one search. */
export interface BudgetedSearch {
  path: string;
  cap: number;
  pattern: string;
  options: unknown;
}

type WorkerReply = { ok: unknown } | { error: { code?: string; message: string } };

/** The budget of this process's searches: its environment was checked when it loaded its config. */
export function searchBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  return budgetSetting(env);
}

/**
 * Runs the search in a worker; its result, or an error when it fails or runs past the budget.
 *
 * @example
 * await runWithBudget<StreamSearch>({ path, cap, pattern: '(?<!\\w)error', options });
 */
export function runWithBudget<T>(request: BudgetedSearch): Promise<T> {
  const budget = searchBudgetMs();
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerEntry('search-worker.js'), {
      workerData: request,
      execArgv: [],
    });
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
      settle();
    };
    const timer = setTimeout(() => {
      finish(() => reject(tooSlow(request.pattern, budget)));
    }, budget);
    worker.once('message', (reply: WorkerReply) => {
      finish(() => ('ok' in reply ? resolve(reply.ok as T) : reject(fromWorker(reply.error))));
    });
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) => {
      finish(() =>
        reject(new Error(`the search worker exited with code ${code} before answering`)),
      );
    });
  });
}

/** What to change in a pattern that ran past its budget. */
export const slowPatternAdvice =
  'V8 cannot switch this pattern to its linear-time engine (it has a lookaround, a backreference or a count above 16); write it without those, or with fewer repeats in a row that can match the same text (".*a.*b" over "(?=x).*.*b").';

function tooSlow(pattern: string, budget: number): BgError {
  return new BgError(
    ErrorCode.invalidInput,
    `The pattern is too slow: the search ran past its ${budget / 1000} s budget and was stopped. ${slowPatternAdvice}`,
    { data: { pattern, budget_ms: budget } },
  );
}

function fromWorker(error: { code?: string; message: string }): Error {
  const codes: readonly string[] = Object.values(ErrorCode);
  if (error.code !== undefined && codes.includes(error.code)) {
    return new BgError(error.code as ErrorCode, error.message);
  }
  return new Error(error.message);
}

/** A worker's script: beside this module in dist, or dist's when this module runs from src. */
export function workerEntry(name: string): URL {
  const beside = new URL(`./${name}`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL(`../../dist/logs/${name}`, import.meta.url);
}
