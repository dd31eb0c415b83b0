import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { LlmError } from '../../../llm/llm-error.js';
import { resolveModel } from '../../../llm/models.js';
import { runPrompt, type PromptResult } from '../../../llm/run.js';
import type { Engine } from '../../engine.js';
import { decideOutcome, type JobRecord, type Outcome } from '../../model.js';
import { fileSize } from '../shell/shell-runner.js';

interface Running {
  controller: AbortController;
  finished: Promise<void>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Runs prompt jobs inside the daemon: the answer streams into the job's stdout file as it
 * arrives, so `tail` and `output` show it growing; at the end the job records the finish
 * reason, token usage and latency. `kill` aborts the HTTP request at once. A retryable failure
 * (429 after its Retry-After, 5xx, a dropped or hung connection) is tried again while the job
 * has retries left; any other failure ends it `failed` with the provider's message.
 */
export class LlmJobs {
  private readonly running = new Map<string, Running>();
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  count(): number {
    return this.running.size;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Starts a prompt job the store holds as `running`; returns without waiting for the answer. */
  start(job: JobRecord): Promise<JobRecord> {
    const { store, supervisor } = this.engine;
    store.update(job.id, { runs: job.runs + 1, runStartedAt: Date.now() });
    const controller = new AbortController();
    const timer =
      job.timeoutS === null
        ? undefined
        : setTimeout(() => void this.stop(job.id, 'timeout'), job.timeoutS * 1000);
    timer?.unref();
    const entry: Running = { controller, timer, finished: Promise.resolve() };
    this.running.set(job.id, entry);
    // The request is built after this turn, so the job id goes back to the caller first: the
    // SDK's setup (a millisecond or two of CPU) overlaps the caller's next step.
    entry.finished = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.run(job, controller.signal),
    );
    const started = store.get(job.id) ?? job;
    supervisor.emit('started', started);
    return Promise.resolve(started);
  }

  /** Aborts a running prompt (its HTTP request closes at once) and waits until it is recorded. */
  async stop(id: string, reason: 'kill' | 'timeout' | 'session'): Promise<void> {
    const entry = this.running.get(id);
    if (!entry) return;
    const job = this.engine.store.get(id);
    if (job && job.stopRequest === null) this.engine.store.update(id, { stopRequest: reason });
    entry.controller.abort();
    await entry.finished;
  }

  /** Aborts every prompt without recording anything: the next daemon retries or loses them. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const entry of all) {
      clearTimeout(entry.timer);
      entry.controller.abort(new Error('daemon stopping'));
    }
    await Promise.all(all.map((entry) => entry.finished.catch(() => undefined)));
  }

  private async run(job: JobRecord, signal: AbortSignal): Promise<void> {
    let out: number | undefined;
    let result: PromptResult | undefined;
    let failure: unknown;
    try {
      const spec = job.llm;
      if (!spec) throw new Error('not a prompt job');
      const model = resolveModel(spec.model, job.env);
      const answer = openSync(join(this.engine.dirOf(job.id), 'stdout'), 'a', 0o600);
      out = answer;
      result = await runPrompt(
        { model, prompt: spec.prompt, system: spec.system ?? undefined, params: spec.params },
        {
          env: job.env,
          signal,
          onText: (delta) => void writeSync(answer, delta),
          idleTimeoutMs: this.engine.config.llmIdleTimeoutS * 1000,
        },
      );
      // Like a terminal's last line, an answer ends with a newline in the file.
      if (result.text !== '' && !result.text.endsWith('\n')) writeSync(answer, '\n');
    } catch (error) {
      // A failed request, or an answer that could not be kept (a full disk, a removed folder).
      result = undefined;
      failure = error;
    } finally {
      if (out !== undefined) closeSync(out);
    }
    const entry = this.running.get(job.id);
    clearTimeout(entry?.timer);
    this.running.delete(job.id);
    if (this.engine.isClosing()) return;
    this.settle(job.id, result, failure);
  }

  private settle(id: string, result: PromptResult | undefined, failure: unknown): void {
    const { store } = this.engine;
    const job = store.get(id);
    if (!job) return;
    if (result) {
      const llmResult = {
        finish_reason: result.finishReason,
        input_tokens: result.usage.inputTokens,
        output_tokens: result.usage.outputTokens,
        latency_ms: Math.round(result.latencyMs),
      };
      const reason = `answered (${result.finishReason})`;
      return this.finish(
        job,
        { status: 'completed', exitCode: 0, signal: null, reason },
        { llmResult },
      );
    }
    if (job.stopRequest !== null) {
      return this.finish(
        job,
        decideOutcome(undefined, job.stopRequest, 'the request to the model was aborted'),
      );
    }
    const message = failure instanceof Error ? failure.message : String(failure);
    try {
      appendFileSync(join(this.engine.dirOf(id), 'stderr'), `${message}\n`, { mode: 0o600 });
    } catch {
      // No room to say it in the file: the job's reason still says it.
    }
    const outcome: Outcome = { status: 'failed', exitCode: null, signal: null, reason: message };
    const retryable = failure instanceof LlmError && failure.retryable;
    const wait = failure instanceof LlmError ? (failure.retryAfterMs ?? undefined) : undefined;
    if (retryable && this.engine.retryLater(job, outcome, wait)) return;
    this.finish(job, outcome);
  }

  /** Records how the job ended (with RECORDED, what else it learned) in one write. */
  private finish(
    job: JobRecord,
    outcome: Outcome,
    recorded: Partial<Omit<JobRecord, 'id'>> = {},
  ): void {
    const { store, supervisor } = this.engine;
    const dir = this.engine.dirOf(job.id);
    store.update(job.id, {
      ...recorded,
      status: outcome.status,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      reason: outcome.reason,
      endedAt: Date.now(),
      stdoutBytes: fileSize(join(dir, 'stdout')),
      stderrBytes: fileSize(join(dir, 'stderr')),
    });
    const ended = store.get(job.id);
    if (ended) supervisor.emit('ended', ended);
  }
}
