// Run by the bench as a child: N prompts streaming at once through `runPrompt` in a bare Node
// process, the baseline for the daemon's memory with N prompt jobs. Prints one line of JSON.
import { setTimeout as delay } from 'node:timers/promises';

import { resolveModel } from '../llm/models.js';
import { runPrompt } from '../llm/run.js';
import { FAKE_MODEL, FAKE_PROMPT } from './fake-openai.js';
import { median } from './stats.js';

export interface BareResult {
  /** RSS (MB) before any prompt, after one, and the highest while N streamed. */
  idle: number;
  warm: number;
  max: number;
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  const one = async (): Promise<void> => {
    await runPrompt(
      { model: resolveModel(FAKE_MODEL, env), prompt: FAKE_PROMPT },
      { env, signal: new AbortController().signal, onText: () => {} },
    );
  };
  const idle = await steadyRss();
  await one();
  const warm = await steadyRss();
  let max = rss();
  const timer = setInterval(() => (max = Math.max(max, rss())), 20);
  try {
    await Promise.all(Array.from({ length: count }, one));
  } finally {
    clearInterval(timer);
  }
  max = Math.max(max, rss());
  const result: BareResult = { idle, warm, max };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function rss(): number {
  return process.memoryUsage.rss() / MB;
}

/** The median of ten readings 50 ms apart, as the bench reads the idle daemon. */
async function steadyRss(): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 10; i++) {
    readings.push(rss());
    await delay(50);
  }
  return median(readings);
}

await main();
