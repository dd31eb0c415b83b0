// Daemon memory with 100 prompt jobs streaming at once from a local fake OpenAI, against a bare
// Node process streaming as many through `runPrompt`.
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

import type { DaemonClient } from '../src/daemon/client.js';
import type { Caller } from '../src/api/contract.js';
import { FAKE_MODEL, FAKE_PROMPT, startFakeOpenAi, type FakeOpenAi } from './fake-openai.js';
import type { BenchHome } from './home.js';
import { RssSampler, rssMb } from './proc-mem.js';
import type { Figure } from './report.js';
import { median, summarize } from './stats.js';

/** How many prompts stream at once (the daemon's BGJOBS_MAX_LLM_JOBS). */
export const CONCURRENT_PROMPTS = 100;
const SLOW_CHUNKS = 50;
const SLOW_CHUNK_MS = 50;
const BATCH = 20;
const BARE_SCRIPT = fileURLToPath(new URL('./bare-prompts.mjs', import.meta.url));

/**
 * The daemon (started with BGJOBS_MAX_LLM_JOBS=100, no prompt run yet) is idle: its RSS is the
 * median of ten readings 50 ms apart; read again after one quick prompt (first use: Node loads
 * its fetch, code gets compiled). Then CONCURRENT_PROMPTS prompt jobs are submitted (BATCH at a
 * time) against a fake that streams SLOW_CHUNKS chunks SLOW_CHUNK_MS apart (2.5 s an answer),
 * the daemon's RSS sampled every 20 ms from the first submission until every job has ended. The
 * fake counts the answers streaming at once, to show all of them really were in flight
 * together. The figure is the highest sample minus the first idle reading; the breakdown, minus
 * the reading after one prompt.
 *
 * The bench learns that all have ended from a light `list` every 100 ms, not from one `wait` on
 * all 100: such a wait re-reads every job it waits on at each start and end (100 × 200 full-row
 * reads), garbage that would be counted here as memory of the streams.
 *
 * Baseline: a bare Node process (`bare-prompts.mjs`) doing the same with `runPrompt` alone against
 * the same fake, its RSS read the same way: what the AI SDK and fetch cost without bgjobs.
 */
export async function measurePromptMemory(
  client: DaemonClient,
  daemonPid: number,
  bench: BenchHome,
): Promise<Figure[]> {
  const idle = await idleRss(daemonPid);
  const warmIdle = await afterOnePrompt(client, bench, daemonPid);
  const words = Array.from({ length: SLOW_CHUNKS }, (_, i) => `token${i} `);
  const fake = await startFakeOpenAi({ chunks: words, delayMs: SLOW_CHUNK_MS });
  const sampler = new RssSampler(daemonPid);
  try {
    const caller: Caller = { cwd: bench.home, env: { ...bench.env, ...fake.env } };
    const began = performance.now();
    sampler.start();
    const ids: string[] = [];
    for (let i = 0; i < CONCURRENT_PROMPTS; i += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, CONCURRENT_PROMPTS - i) }, () =>
          client.prompt({ prompt: FAKE_PROMPT, model: FAKE_MODEL }, { caller }),
        ),
      );
      ids.push(...batch.map((job) => job.job_id));
    }
    await untilNoneLive(client);
    sampler.stop();
    const tookS = (performance.now() - began) / 1000;
    // All ended by now: a wait with no time to wait just reports how.
    const waited = await client.wait({ job_ids: ids, timeout_s: 0 });
    const failed = waited.jobs.filter((job) => job.status !== 'completed');
    if (!waited.done || failed.length > 0) {
      throw new Error(`bench: ${failed.length} of the streaming prompts did not complete`);
    }
    const rss = summarize(sampler.samples);
    const after = sampler.samples.at(-1) ?? Number.NaN;
    const streams = `${fake.maxActive} answers streaming at once, ${SLOW_CHUNKS} chunks ${SLOW_CHUNK_MS} ms apart, all done in ${tookS.toFixed(1)} s`;
    const bare = await bareProcess(fake, bench);
    return [
      {
        id: 'daemon_rss_100_prompts_mb',
        label: `daemon RSS above idle, ${CONCURRENT_PROMPTS} prompts streaming`,
        value: rss.max - idle,
        unit: 'MB',
        baseline: {
          label: `bare node, ${CONCURRENT_PROMPTS} runPrompt`,
          value: bare.max - bare.idle,
        },
        target: { kind: 'max', limit: 100, on: 'value' },
        details: `idle ${idle.toFixed(1)} MB (no prompt run yet), max ${rss.max.toFixed(1)} MB (${rss.n} samples, 20 ms apart), at the end ${after.toFixed(1)} MB; ${streams}`,
      },
      {
        id: 'daemon_rss_100_prompts_warm_mb',
        label: '  breakdown: above idle after one prompt',
        value: rss.max - warmIdle,
        unit: 'MB',
        baseline: { label: 'bare node, same', value: bare.max - bare.warm },
        details: `the first prompt costs ${(warmIdle - idle).toFixed(1)} MB (bare node ${(bare.warm - bare.idle).toFixed(1)}); then ${((rss.max - warmIdle) / CONCURRENT_PROMPTS).toFixed(2)} MB per streaming prompt (bare node ${((bare.max - bare.warm) / CONCURRENT_PROMPTS).toFixed(2)})`,
      },
    ];
  } finally {
    sampler.stop();
    await fake.close();
  }
}

async function idleRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 10; i++) {
    readings.push(rssMb(pid) ?? Number.NaN);
    await delay(50);
  }
  return median(readings);
}

/** Runs one quick prompt (the daemon's first) and reads the idle RSS again. */
async function afterOnePrompt(
  client: DaemonClient,
  bench: BenchHome,
  daemonPid: number,
): Promise<number> {
  const fake = await startFakeOpenAi({ chunks: ['Hello'], delayMs: 0 });
  try {
    const caller: Caller = { cwd: bench.home, env: { ...bench.env, ...fake.env } };
    const job = await client.prompt({ prompt: FAKE_PROMPT, model: FAKE_MODEL }, { caller });
    const waited = await client.wait({ job_id: job.job_id, timeout_s: 30 });
    if (waited.jobs[0]?.status !== 'completed') {
      throw new Error(
        `bench: warm-up prompt ${job.job_id} ended ${JSON.stringify(waited.jobs[0])}`,
      );
    }
  } finally {
    await fake.close();
  }
  return idleRss(daemonPid);
}

const bareResultSchema = z.object({ idle: z.number(), warm: z.number(), max: z.number() });

/** Runs `bare-prompts.mjs` against FAKE and returns its readings; the child is ended by pid. */
async function bareProcess(
  fake: FakeOpenAi,
  bench: BenchHome,
): Promise<z.infer<typeof bareResultSchema>> {
  const child = spawn(
    process.execPath,
    [BARE_SCRIPT, String(CONCURRENT_PROMPTS), FAKE_MODEL, FAKE_PROMPT],
    {
      // BGJOBS_HOME in its environment lets the home's cleanup find it too.
      env: { ...bench.env, ...fake.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (piece: string) => (stdout += piece));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`bench: bare-prompts.js exited with ${code}`);
    return bareResultSchema.parse(JSON.parse(stdout));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Polls, lightly, until no job of the daemon is queued or running. */
async function untilNoneLive(client: DaemonClient): Promise<void> {
  const deadline = performance.now() + 60_000;
  while ((await client.list({ status: ['queued', 'running'], all: true, limit: 1 })).total > 0) {
    if (performance.now() > deadline) throw new Error('bench: the streaming prompts ran over 60 s');
    await delay(100);
  }
}
