import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';

import type { JobFolders } from '../../../job-folder/folders.js';
import { resolveModel } from '../../../llm/models.js';
import type * as LlmRun from '../../../llm/run.js';
import type { PromptResult } from '../../../llm/run.js';
import type { JobStore } from '../../../store/store.js';
import type { Ending, JobRecord } from '../../model.js';
import type { Runner, RunnerHost } from '../runner.js';

// The AI SDK (tens of MB with its schemas) loads with the first prompt, not with the daemon.
type Llm = typeof LlmRun;
let loading: Promise<Llm> | undefined;
let loaded: Llm | undefined;
const loadLlm = (): Promise<Llm> =>
  (loading ??= import('../../../llm/run.js').then((module) => (loaded = module)));
/** Whether a failure is the model's (an LlmError: none can exist before the SDK is loaded). */
const isLlmError = (error: unknown): error is InstanceType<Llm['LlmError']> =>
  loaded !== undefined && error instanceof loaded.LlmError;

interface Running {
  job: JobRecord;
  controller: AbortController;
  finished: Promise<void>;
}

export interface PromptRunnerDeps {
  store: JobStore;
  folders: JobFolders;
  host: RunnerHost;
  limit: () => number;
  /** Seconds without a token before a streaming answer counts as hung. */
  idleTimeoutS: number;
}

/**
 * Runs prompt jobs inside the daemon: the answer streams into the job's stdout file as it
 * arrives, so `tail` and `output` show it growing; at the end the job records the finish
 * reason, token usage and latency. `stop` aborts the HTTP request at once. A failure says
 * whether trying again can help (429 after its Retry-After, 5xx, a dropped or hung
 * connection); the host decides whether there is another attempt.
 */
export class PromptRunner implements Runner {
  private readonly live = new Map<string, Running>();
  private readonly deps: PromptRunnerDeps;
  private closing = false;

  constructor(deps: PromptRunnerDeps) {
    this.deps = deps;
  }

  running(): number {
    return this.live.size;
  }

  limit(): number {
    return this.deps.limit();
  }

  /** Starts a prompt job the store holds as `running`; returns without waiting for the answer. */
  start(job: JobRecord): Promise<void> {
    this.deps.store.update(job.id, { runs: job.runs + 1, runStartedAt: Date.now() });
    const controller = new AbortController();
    const entry: Running = { job, controller, finished: Promise.resolve() };
    this.live.set(job.id, entry);
    // The request is built after this turn, so the job id goes back to the caller first: the
    // SDK's setup (a millisecond or two of CPU) overlaps the caller's next step.
    entry.finished = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.run(job, controller.signal),
    );
    this.deps.host.started(job.id);
    return Promise.resolve();
  }

  /** Aborts a running prompt (its HTTP request closes at once) and waits until it is recorded. */
  async stop(job: JobRecord): Promise<{ escalated: boolean }> {
    const entry = this.live.get(job.id);
    if (!entry) return { escalated: false };
    entry.controller.abort();
    await entry.finished;
    return { escalated: false };
  }

  /**
   * A prompt that was answering when the last daemon died: its answer is gone with that daemon.
   * It is tried again while it has retries left, else it is lost — never left running.
   */
  adopt(job: JobRecord): void {
    this.deps.host.runEnded(job, {
      how: 'the daemon stopped while the model was answering',
      retryable: true,
      retryAfterMs: 0,
    });
  }

  /** Aborts every prompt without recording anything: the next daemon retries or loses them. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.live.values()];
    for (const entry of all) entry.controller.abort(new Error('daemon stopping'));
    await Promise.all(all.map((entry) => entry.finished.catch(() => undefined)));
  }

  private async run(job: JobRecord, signal: AbortSignal): Promise<void> {
    let out: number | undefined;
    let result: PromptResult | undefined;
    let failure: unknown;
    const paths = this.deps.folders.paths(job.id);
    try {
      const spec = job.llm;
      if (!spec) throw new Error('not a prompt job');
      // What the prompt's providers read of its caller's environment (promptEnv), kept 0600.
      const env = this.deps.folders.readEnv(job.id) ?? {};
      const model = resolveModel(spec.model, env);
      const { runPrompt } = await loadLlm();
      const answer = openSync(paths.stdout, 'a', 0o600);
      out = answer;
      result = await runPrompt(
        { model, prompt: spec.prompt, system: spec.system ?? undefined, params: spec.params },
        {
          env,
          signal,
          onText: (delta) => void writeSync(answer, delta),
          idleTimeoutMs: this.deps.idleTimeoutS * 1000,
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
    if (this.closing) return void this.live.delete(job.id);
    const ending = this.endingOf(job, result, failure);
    this.live.delete(job.id);
    this.deps.host.runEnded(job, ending);
  }

  private endingOf(job: JobRecord, result: PromptResult | undefined, failure: unknown): Ending {
    if (result) {
      return {
        exit: { exitCode: 0, signal: null },
        how: `answered (${result.finishReason})`,
        recorded: {
          llmResult: {
            finish_reason: result.finishReason,
            input_tokens: result.usage.inputTokens,
            output_tokens: result.usage.outputTokens,
            latency_ms: Math.round(result.latencyMs),
          },
        },
      };
    }
    const stopped = this.deps.store.get(job.id)?.stopRequest ?? null;
    if (stopped !== null) return { how: 'the request to the model was aborted' };
    const message = failure instanceof Error ? failure.message : String(failure);
    try {
      appendFileSync(this.deps.folders.paths(job.id).stderr, `${message}\n`, { mode: 0o600 });
    } catch {
      // No room to say it in the file: the job's reason still says it.
    }
    return {
      failed: true,
      how: message,
      retryable: isLlmError(failure) && failure.retryable,
      retryAfterMs: isLlmError(failure) ? (failure.retryAfterMs ?? undefined) : undefined,
    };
  }
}
