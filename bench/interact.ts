// Interact latency: `interact` with python3 -i answering print(6*7) with 42, returning as soon as
// python waits for input again — over the daemon's socket, and through the CLI's `send --wait`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { DaemonClient } from '../src/daemon/client.js';
import type { BenchHome } from './home.js';
import { pythonExecutable } from './readiness.js';
import type { Figure } from './report.js';
import { describeSummary, median, summarize } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const WARMUP = 3;
const RUNS = 30;
const CLI_RUNS = 15;
const run = promisify(execFile);

/**
 * Starts `python3 -i -q`, waits until it waits for input, then RUNS times (after WARMUP) times
 * `interact` with `print(6*7)` and no expect, checking the answer is exactly "42"; the baseline
 * is the same call with `expect: "42"`, which needs no probe (the least an answer can cost).
 * Then times `bgjobs send ID 'print(6*7)' --wait` as a process, against `bgjobs status ID`
 * (the CLI's own start and one socket round trip).
 */
export async function measureInteract(client: DaemonClient, bench: BenchHome): Promise<Figure[]> {
  const { job_id } = await client.execute({ command: `exec '${pythonExecutable()}' -i -q` });
  const waited = await client.wait({ job_id, until: 'input', timeout_s: 30 });
  if (waited.fired !== 'input') throw new Error(`bench: python3 -i did not ask (${waited.fired})`);

  const timeInteract = async (expect?: string): Promise<number> => {
    const began = performance.now();
    const reply = await client.interact({ job_id, input: 'print(6*7)', expect });
    const ms = performance.now() - began;
    const why = expect === undefined ? 'waiting_for_input' : 'expect';
    if (reply.stdout !== '42\n' || reply.returned_because !== why) {
      throw new Error(`bench: interact answered ${JSON.stringify(reply)}`);
    }
    return ms;
  };
  const probed: number[] = [];
  const expected: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const a = await timeInteract();
    // With expect, the call returns before python has printed its next prompt: let it.
    const b = await timeInteract('42');
    await client.wait({ job_id, until: 'input', timeout_s: 10 });
    if (i < WARMUP) continue;
    probed.push(a);
    expected.push(b);
  }

  const cli = async (...args: string[]): Promise<number> => {
    const began = performance.now();
    const { stdout } = await run(process.execPath, [CLI, ...args], { env: bench.env });
    const ms = performance.now() - began;
    if (args[0] === 'send' && stdout !== '42\n') throw new Error(`bench: send printed ${stdout}`);
    return ms;
  };
  const sends: number[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < 1 + CLI_RUNS; i++) {
    const send = await cli('send', job_id, 'print(6*7)', '--wait');
    const status = await cli('status', job_id);
    if (i < 1) continue;
    sends.push(send);
    statuses.push(status);
  }
  await client.kill({ job_id, grace_s: 1 });

  const probedSummary = summarize(probed);
  const sendSummary = summarize(sends);
  return [
    {
      id: 'interact_python_ms',
      label: '`interact` python3 -i `print(6*7)` → `42`, over the socket',
      value: probedSummary.p50,
      unit: 'ms',
      baseline: { label: 'the same with expect "42"', value: median(expected) },
      target: { kind: 'max', limit: 30, on: 'value' },
      details: describeSummary(probedSummary),
    },
    {
      id: 'send_wait_python_ms',
      label: '`bgjobs send ID print(6*7) --wait` → `42`, a CLI process',
      value: sendSummary.p50,
      unit: 'ms',
      baseline: { label: '`bgjobs status ID`', value: median(statuses) },
      details: describeSummary(sendSummary),
    },
  ];
}

/**
 * The same answer from python in a pty (`python3 -q`, `pty: true`): its output reaches the
 * file through script(1), so `interact` without expect waits until script(1) has copied the
 * answer, not just the echo. Baseline: the same call with expect on the next prompt.
 */
export async function measurePtyInteract(client: DaemonClient): Promise<Figure[]> {
  const { job_id } = await client.execute({
    command: `exec '${pythonExecutable()}' -q`,
    pty: true,
  });
  const waited = await client.wait({ job_id, until: 'input', timeout_s: 30 });
  if (waited.fired !== 'input') throw new Error(`bench: python3 in a pty did not ask`);
  const timeInteract = async (expect?: string): Promise<number> => {
    const began = performance.now();
    const reply = await client.interact({ job_id, input: 'print(6*7)', expect });
    const ms = performance.now() - began;
    if (!/^42\n>>> $/m.test(reply.stdout)) {
      throw new Error(`bench: pty interact answered ${JSON.stringify(reply)}`);
    }
    return ms;
  };
  const probed: number[] = [];
  const expected: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const a = await timeInteract();
    const b = await timeInteract('^42\n>>> $');
    await client.wait({ job_id, until: 'input', timeout_s: 10 });
    if (i < WARMUP) continue;
    probed.push(a);
    expected.push(b);
  }
  await client.kill({ job_id, grace_s: 1 });
  const summary = summarize(probed);
  return [
    {
      id: 'interact_pty_python_ms',
      label: '`interact` python3 in a pty `print(6*7)` → `42` and the prompt, over the socket',
      value: summary.p50,
      unit: 'ms',
      baseline: { label: 'the same with expect on the prompt', value: median(expected) },
      details: describeSummary(summary),
    },
  ];
}
