// Prompt overhead: what running a prompt as a bgjobs job adds to the prompt itself, against a
// local fake OpenAI.
import type { DaemonClient } from '../src/daemon/client.js';
import type { Caller, JobsApi } from '../src/api/contract.js';
import { resolveModel } from '../src/llm/models.js';
import { runPrompt } from '../src/llm/run.js';
import { FAKE_MODEL, FAKE_PROMPT, startFakeOpenAi, type FakeOpenAi } from './fake-openai.js';
import type { BenchHome } from './home.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const WARMUP = 10;
const PROMPTS = 100;

/**
 * Two phases of PROMPTS rounds (after WARMUP), each prompt timed end to end against the same
 * fake (three chunks, no pauses). Phase one, the figure: (a) `resolveModel` + `runPrompt` in
 * the bench process, the least a prompt costs here, against (b) `prompt` then `wait` through
 * the daemon's socket, the answer streamed into the job's stdout file and the job recorded.
 * Phase two, a breakdown only: (a) again against (c) the same on an Engine in the bench process
 * (its own home), to tell the engine's share from the socket's. It runs apart so that engine
 * (its timers, its garbage) does not weigh on the figure. Within a round the order alternates,
 * so no side always runs on a warmer machine. The figure is the difference of the medians of
 * (b) and (a); its ratio is the median of the rounds' b/a ratios. The answer of (b) is checked
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
    const daemonRun = await pairedRounds(
      () => promptDirectly(env, fake),
      () => promptAsJob(client, viaDaemon),
    );
    const engineRun = await pairedRounds(
      () => promptDirectly(env, fake),
      () => promptAsJob(engine.api, inEngine),
    );
    const { direct, jobs: daemon, ratios } = daemonRun;
    const checked = daemon[0]?.jobId ?? '';
    const { stdout } = await client.output({ job_id: checked, stream: 'stdout' });
    if (stdout !== `${fake.text}\n`) {
      throw new Error(`bench: prompt job ${checked} answered ${JSON.stringify(stdout)}`);
    }

    const job = summarize(daemon.map((t) => t.ms));
    const submit = median(daemon.map((t) => t.submitMs));
    const base = summarize(direct);
    const onEngine = summarize(engineRun.jobs.map((t) => t.ms));
    const engineBase = summarize(engineRun.direct);
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
        id: 'prompt_direct_ms',
        label: '  breakdown: runPrompt in the bench (fake OpenAI)',
        value: base.p50,
        unit: 'ms',
        details: describeSummary(base),
      },
      {
        id: 'prompt_engine_ms',
        label: '  breakdown: prompt + wait on an engine in the bench (phase two)',
        value: onEngine.p50,
        unit: 'ms',
        baseline: { label: 'runPrompt in process, phase two', value: engineBase.p50 },
        details: `${describeSummary(onEngine)}; the prompt call alone: median ${median(engineRun.jobs.map((t) => t.submitMs)).toFixed(2)} ms`,
      },
    ];
  } finally {
    await fake.close();
  }
}

/** WARMUP + PROMPTS rounds of DIRECT and AS_JOB, alternating which goes first. */
async function pairedRounds(
  direct: () => Promise<number>,
  asJob: () => Promise<Timed>,
): Promise<{ direct: number[]; jobs: Timed[]; ratios: number[] }> {
  const times: number[] = [];
  const jobs: Timed[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < WARMUP + PROMPTS; i++) {
    let ms: number;
    let timed: Timed;
    if (i % 2 === 0) {
      ms = await direct();
      timed = await asJob();
    } else {
      timed = await asJob();
      ms = await direct();
    }
    if (i < WARMUP) continue;
    times.push(ms);
    jobs.push(timed);
    ratios.push(timed.ms / ms);
  }
  return { direct: times, jobs, ratios };
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
