// Run by the bench as a child: N prompts streaming at once through `runPrompt` in a bare Node
// process (the built dist, no TypeScript loader), the baseline for the daemon's memory with N
// prompt jobs. Arguments: N, the model, the prompt. Prints one line of JSON {idle, warm, max}.
import { setTimeout as delay } from 'node:timers/promises';

import { resolveModel } from '../dist/llm/models.js';
import { runPrompt } from '../dist/llm/run.js';

const MB = 1024 * 1024;

async function main() {
  const [count, model, prompt] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  const one = () =>
    runPrompt(
      { model: resolveModel(model, env), prompt },
      { env, signal: new AbortController().signal, onText: () => {} },
    );
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
  process.stdout.write(`${JSON.stringify({ idle, warm, max })}\n`);
}

const rss = () => process.memoryUsage.rss() / MB;

/** The median of ten readings 50 ms apart, as the bench reads the idle daemon. */
async function steadyRss() {
  const readings = [];
  for (let i = 0; i < 10; i++) {
    readings.push(rss());
    await delay(50);
  }
  readings.sort((a, b) => a - b);
  return (readings[4] + readings[5]) / 2;
}

await main();
