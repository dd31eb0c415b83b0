// Killing a prompt: how soon the provider sees its connection close, through the daemon.
import { setTimeout as delay } from 'node:timers/promises';

import type { DaemonClient } from '../src/daemon/client.js';
import { FAKE_MODEL, FAKE_PROMPT, startFakeOpenAi } from './fake-openai.js';
import type { BenchHome } from './home.js';
import { latencyFigure, type Figure } from './report.js';

const KILLS = 30;
const FIRST_TEXT_TIMEOUT_MS = 10_000;

/**
 * KILLS rounds against a fake OpenAI that sends its first chunk at once and the next only after
 * a minute: once the first chunk is in the job's output, `kill` is sent over the socket, and
 * the time from sending it to the fake seeing the connection close (`close` before the answer's
 * end, in the same process and clock) is the figure.
 */
export async function measurePromptKill(client: DaemonClient, bench: BenchHome): Promise<Figure[]> {
  const fake = await startFakeOpenAi({ chunks: ['first', 'never'], delayMs: 60_000 });
  try {
    const caller = { cwd: bench.home, env: { ...bench.env, ...fake.env } };
    const times: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const job = await client.prompt(
        { prompt: FAKE_PROMPT, model: FAKE_MODEL, retries: 0 },
        { caller },
      );
      await firstText(client, job.job_id);
      const cutOff = fake.nextCutOff();
      const began = performance.now();
      const killed = await client.kill({ job_id: job.job_id });
      if (killed.status !== 'killed') {
        throw new Error(`bench: prompt job ${job.job_id} ended ${killed.status} on kill`);
      }
      times.push((await cutOff) - began);
    }
    return [
      latencyFigure({
        id: 'prompt_kill_close_ms',
        label: 'kill of a streaming prompt → provider sees the connection close',
        samples: times,
        limitMs: 100,
      }),
    ];
  } finally {
    await fake.close();
  }
}

async function firstText(client: DaemonClient, jobId: string): Promise<void> {
  const deadline = performance.now() + FIRST_TEXT_TIMEOUT_MS;
  while ((await client.output({ job_id: jobId })).stdout !== 'first') {
    if (performance.now() > deadline) {
      throw new Error(`bench: prompt job ${jobId} showed no text in ${FIRST_TEXT_TIMEOUT_MS} ms`);
    }
    await delay(5);
  }
}
