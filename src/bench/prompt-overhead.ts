// Prompt overhead: what running a prompt as a bgjobs job adds to the prompt itself, against a
// local fake OpenAI.
import type { DaemonClient } from '../daemon/client.js';
import type { Caller, JobsApi } from '../jobs/api.js';
import { resolveModel } from '../llm/models.js';
import { runPrompt } from '../llm/run.js';
import { FAKE_MODEL, FAKE_PROMPT, startFakeOpenAi, type FakeOpenAi } from './fake-openai.js';
import type { BenchHome } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const WARMUP = 10;
const PROMPTS = 100;

/**
 * PROMPTS rounds (after WARMUP), each prompt timed end to end against the same fake (three
 * chunks, no pauses): (a) `resolveModel` + `runPrompt` in the bench process, the least a prompt
 * costs here; (b) `prompt` then `wait` through the daemon's socket, the answer streamed into the
 * job's stdout file and the job recorded; (c) the same on an Engine in the bench process (its
 * own home), to tell the engine's share from the socket's. The order within a round rotates, so
 * no side always runs on a warmer machine. The figure is the difference of the medians of (b)
 * and (a); its ratio is the median of the rounds' b/a ratios. The answer of (b) is checked
 * against the fake's text.
 */
export async function measurePromptOverhead(
  client: DaemonClient,
  bench: BenchHome,
  engine: { api: JobsApi; home: BenchHome },
): Promise<Figure[]> {
  const fake = await startFakeOpenAi({ chunks: ['Hello', ', ', 'world'], delayMs: 0 });
  try {
    const env = { ...bench.env, ...fake.env };
    const viaDaemon = { cwd: bench.home, env };
    const inEngine = { cwd: engine.home.home, env: { ...engine.home.env, ...fake.env } };
    const direct: number[] = [];
    const daemon: Timed[] = [];
    const engineJobs: Timed[] = [];
    const ratios: number[] = [];
    const sides = [
      async () => direct.push(await promptDirectly(env, fake)),
      async () => daemon.push(await promptAsJob(client, viaDaemon)),
      async () => engineJobs.push(await promptAsJob(engine.api, inEngine)),
    ];
    for (let i = 0; i < WARMUP + PROMPTS; i++) {
      for (let k = 0; k < sides.length; k++) await sides[(i + k) % sides.length]?.();
      if (i === WARMUP - 1) {
        for (const samples of [direct, daemon, engineJobs]) samples.length = 0;
      }
      if (i >= WARMUP) ratios.push((daemon.at(-1)?.ms ?? NaN) / (direct.at(-1) ?? NaN));
    }
    const checked = daemon[0]?.jobId ?? '';
    const { stdout } = await client.output({ job_id: checked, stream: 'stdout' });
    if (stdout !== `${fake.text}\n`) {
      throw new Error(`bench: prompt job ${checked} answered ${JSON.stringify(stdout)}`);
    }

    const job = summarize(daemon.map((t) => t.ms));
    const submit = median(daemon.map((t) => t.submitMs));
    const onEngine = summarize(engineJobs.map((t) => t.ms));
    const base = summarize(direct);
    return [
      {
        id: 'prompt_added_ms',
        label: 'prompt job: added per prompt (prompt+wait vs runPrompt)',
        value: job.p50 - base.p50,
        unit: 'ms',
        ratio: median(ratios),
        target: { kind: 'max', limit: 5, on: 'value' },
        details: `median ${job.p50.toFixed(2)} vs ${base.p50.toFixed(2)} ms; ratio = median of ${ratios.length} paired ratios`,
      },
      {
        id: 'prompt_job_ms',
        label: '  breakdown: prompt + wait via daemon (fake OpenAI)',
        value: job.p50,
        unit: 'ms',
        baseline: { label: 'runPrompt in process', value: base.p50 },
        details: `${describeSummary(job)}; the prompt call alone: median ${submit.toFixed(2)} ms`,
      },
      {
        id: 'prompt_engine_ms',
        label: '  breakdown: prompt + wait on an engine in the bench',
        value: onEngine.p50,
        unit: 'ms',
        baseline: { label: 'runPrompt in process', value: base.p50 },
        details: `${describeSummary(onEngine)}; the prompt call alone: median ${median(engineJobs.map((t) => t.submitMs)).toFixed(2)} ms`,
      },
      {
        id: 'prompt_direct_ms',
        label: '  breakdown: runPrompt in the bench (fake OpenAI)',
        value: base.p50,
        unit: 'ms',
        details: describeSummary(base),
      },
    ];
  } finally {
    await fake.close();
  }
}

interface Timed {
  ms: number;
  /** The `prompt` call alone: until the job id came back. */
  submitMs: number;
  jobId: string;
}

async function promptDirectly(env: Record<string, string>, fake: FakeOpenAi): Promise<number> {
  const began = performance.now();
  const model = resolveModel(FAKE_MODEL, env);
  const result = await runPrompt(
    { model, prompt: FAKE_PROMPT },
    { env, signal: new AbortController().signal, onText: () => {} },
  );
  const ms = performance.now() - began;
  if (result.text !== fake.text) {
    throw new Error(`bench: runPrompt answered ${JSON.stringify(result.text)}`);
  }
  return ms;
}

async function promptAsJob(api: JobsApi, caller: Caller): Promise<Timed> {
  const began = performance.now();
  const job = await api.prompt({ prompt: FAKE_PROMPT, model: FAKE_MODEL }, { caller });
  const submitMs = performance.now() - began;
  const waited = await api.wait({ job_id: job.job_id, timeout_s: 30 });
  const ms = performance.now() - began;
  if (waited.jobs[0]?.status !== 'completed') {
    throw new Error(`bench: prompt job ${job.job_id} ended ${JSON.stringify(waited.jobs[0])}`);
  }
  return { ms, submitMs, jobId: job.job_id };
}
