// The baselines of the execute figures: what creating a process costs on this machine, now.
import { spawn } from 'node:child_process';

import { nsToMs, wallNowMs } from './stats.js';

const WARMUP = 5;
const CALLS = 60;
// The shell's fork+exec baseline: the median of BATCHES loops of BATCH runs each.
const BATCHES = 15;
const BATCH = 8;
// Prints the realtime clock in ns the moment it runs, as the execute bench's jobs do.
const CLOCK_COMMAND = 'date +%s%N';

/** Node spawning `sh -c 'date +%s%N'`: from before the spawn to the moment `date` runs. */
export async function directStartLatencies(): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const sentAt = wallNowMs();
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', CLOCK_COMMAND], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (text += chunk));
      child.once('error', reject);
      child.once('close', () => resolve(text));
    });
    if (i >= WARMUP) latencies.push(nsToMs(stdout) - sentAt);
  }
  return latencies;
}

/**
 * A plain fork+exec of `sh -c true`, by a shell rather than by Node: per run, the mean of each
 * of BATCHES loops of BATCH runs (a clock read per run would cost a fork+exec itself).
 */
export async function shellForkExec(): Promise<number[]> {
  const loop = `i=0; s=$(date +%s%N); while [ $i -lt ${BATCH} ]; do /bin/sh -c true; i=$((i+1)); done; e=$(date +%s%N); echo $(((e-s)/${BATCH}))`;
  const means: number[] = [];
  for (let i = 0; i < BATCHES; i++) means.push(Number(await run('/bin/sh', ['-c', loop])) / 1e6);
  return means;
}

/** Node spawning `sh -c true`, until it has exited. */
export async function nodeSpawnTrue(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const began = performance.now();
    await run('/bin/sh', ['-c', 'true']);
    if (i >= WARMUP) times.push(performance.now() - began);
  }
  return times;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (text += chunk));
    child.once('error', reject);
    child.once('close', () => resolve(text));
  });
}
