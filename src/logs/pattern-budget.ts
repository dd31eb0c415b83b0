import { Worker } from 'node:worker_threads';

import { BgError, ErrorCode } from '../api/errors.js';
import { compileSearchRegex, needsTimeBudget } from './regex.js';
import { searchBudgetMs, slowPatternAdvice, workerEntry } from './search-budget.js';

/**
 * Testing output against patterns as it arrives — readiness patterns, `interact`'s expect —
 * without ever stalling the daemon. A pattern V8 bounds (its linear-time engine takes over, see
 * regex.ts) is tested right here, at no cost. One it cannot bound (a lookaround ahead of
 * repeats, `(?=a)a*a*a*b`, runs for hours on a few thousand "a") is tested in a worker thread
 * of its own, ended when one test runs past the budget (BGJOBS_SEARCH_BUDGET_MS, default
 * 30 s): the test then fails with "too slow", and the daemon served every client meanwhile.
 */

export interface PatternSpec {
  pattern: string;
  multiline?: boolean;
}

/** Which text matched which pattern (indexes into the arrays given). */
export interface Found {
  text: number;
  pattern: number;
}

/** What the worker is given at start: the compiled patterns, as source and flags. */
export interface WorkerPatterns {
  patterns: { source: string; flags: string }[];
}

type Reply = { found: Found | null } | { error: string };

export class PatternMatcher {
  /** Whether every pattern is bounded by V8, so `matchNow` may be used. */
  readonly bounded: boolean;
  private readonly regexes: RegExp[];
  private readonly patterns: readonly PatternSpec[];
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Compiles each pattern as compileSearchRegex does (a pattern that could take exponential
   * time is refused at once, as an `invalid_input` BgError).
   *
   * @example
   * const matcher = new PatternMatcher([{ pattern: '(?<!not )ready' }]);
   * await matcher.match(['not ready', 'ready']); // { text: 1, pattern: 0 }
   * matcher.close();
   */
  constructor(patterns: readonly PatternSpec[]) {
    this.patterns = patterns;
    this.regexes = patterns.map((spec) =>
      compileSearchRegex(spec.pattern, { multiline: spec.multiline ?? false }),
    );
    this.bounded = !this.regexes.some((regex) => needsTimeBudget(regex));
  }

  /** The first text (in order) some pattern matches, the patterns tried in order on each. */
  matchNow(texts: readonly string[]): Found | undefined {
    if (!this.bounded) throw new Error('matchNow: a pattern V8 cannot bound needs `match`');
    return firstMatch(this.regexes, texts);
  }

  /** As `matchNow`, off this thread when a pattern needs a time budget; "too slow" past it. */
  match(texts: readonly string[]): Promise<Found | undefined> {
    if (this.bounded) return Promise.resolve(this.matchNow(texts));
    const next = this.queue.then(() => this.inWorker(texts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the worker, if one was started. Idempotent. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }

  private inWorker(texts: readonly string[]): Promise<Found | undefined> {
    const worker = this.startedWorker();
    const budget = searchBudgetMs();
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        worker.removeListener('message', onMessage);
        worker.removeListener('exit', onExit);
        settle();
      };
      const onMessage = (reply: Reply): void =>
        finish(() =>
          'found' in reply ? resolve(reply.found ?? undefined) : reject(new Error(reply.error)),
        );
      const onExit = (code: number): void => {
        if (this.worker === worker) this.worker = undefined;
        finish(() => reject(new Error(`the pattern worker exited with code ${code}`)));
      };
      // A regex cannot be interrupted on the thread running it, but that thread can be ended.
      const timer = setTimeout(() => {
        this.close();
        finish(() => reject(this.tooSlow(budget)));
      }, budget);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage(texts);
    });
  }

  private startedWorker(): Worker {
    if (this.worker) return this.worker;
    const workerData: WorkerPatterns = {
      patterns: this.regexes.map((regex) => ({ source: regex.source, flags: regex.flags })),
    };
    const worker = new Worker(workerEntry('pattern-worker.js'), { workerData, execArgv: [] });
    worker.on('error', () => undefined);
    // An idle worker must not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private tooSlow(budget: number): BgError {
    const slow = this.patterns
      .filter((_, index) => needsTimeBudget(this.regexes[index] as RegExp))
      .map((spec) => `"${spec.pattern}"`)
      .join(' or ');
    return new BgError(
      ErrorCode.invalidInput,
      `The pattern ${slow} is too slow: testing it against the job's output ran past its ${budget / 1000} s budget (BGJOBS_SEARCH_BUDGET_MS) and was stopped. ${slowPatternAdvice}`,
      { data: { patterns: this.patterns.map((spec) => spec.pattern), budget_ms: budget } },
    );
  }
}

/** The first text some regex matches, trying the regexes in order on each text. */
export function firstMatch(
  regexes: readonly RegExp[],
  texts: readonly string[],
): Found | undefined {
  for (let text = 0; text < texts.length; text++) {
    for (let pattern = 0; pattern < regexes.length; pattern++) {
      if (regexes[pattern]?.test(texts[text] ?? '')) return { text, pattern };
    }
  }
  return undefined;
}
