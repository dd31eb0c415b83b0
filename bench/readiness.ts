// Readiness latency: from the instant a job prints its ready line or listens on its port to
// `wait` with until:"ready" returning, through the daemon's socket client.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { DaemonClient } from '../src/daemon/client.js';
import type { ReadySpec } from '../src/api/specs.js';
import type { BenchHome } from './home.js';
import { latencyFigure, type Figure } from './report.js';
import { nsToMs, wallNowMs } from './stats.js';

const WARMUP = 3;
const RUNS = 25;
// How long each job waits before it becomes ready, so `wait` is surely listening by then.
const HOLD_S = 0.25;

// Takes the realtime clock right before the ready line's one write(2), and puts it in the line.
const PATTERN_JOB = `
import os, time
time.sleep(${HOLD_S})
t = time.time_ns()
os.write(1, b"READY %d\\n" % t)
time.sleep(600)
`;

// Takes the realtime clock right after listen(2) returns, then prints it (not watched).
const PORT_JOB = `
import os, socket, sys, time
time.sleep(${HOLD_S})
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
t = time.time_ns()
os.write(1, b"%d\\n" % t)
time.sleep(600)
`;

interface Sample {
  latencyMs: number;
  /** Whether `wait` was sent before the job became ready (else the sample is not counted). */
  waitFirst: boolean;
}

/**
 * For a pattern and for a port, RUNS times each (after WARMUP): start a Python job whose
 * readiness it declares, call `wait` until "ready" at once, and take the wall clock when `wait`
 * returns. The job itself records the instant it became ready — `time.time_ns()` just before
 * writing the ready line (the line carries it, so `wait`'s `match` returns it), or just after
 * `listen()` — after a 250 ms hold, so `wait` is in place first (checked: a sample whose job
 * was ready before `wait` was sent is dropped and counted). Both clocks are the machine's
 * realtime clock. Each job is then killed.
 */
export async function measureReadiness(client: DaemonClient, bench: BenchHome): Promise<Figure[]> {
  const python = pythonExecutable();
  const patternScript = join(bench.home, 'ready-pattern.py');
  const portScript = join(bench.home, 'ready-port.py');
  writeFileSync(patternScript, PATTERN_JOB);
  writeFileSync(portScript, PORT_JOB);

  const pattern = await sampleRuns(async () => {
    const job = await start(client, `exec ${quote(python)} ${quote(patternScript)}`, {
      pattern: '^READY \\d+',
    });
    return { jobId: job, readyAt: (match) => nsToMs(match.replace(/^READY /, '')) };
  }, client);
  const port = await sampleRuns(async () => {
    const free = await freePort();
    const job = await start(client, `exec ${quote(python)} ${quote(portScript)} ${free}`, {
      port: free,
    });
    return { jobId: job, readyAt: async () => nsToMs(await firstLine(client, job)) };
  }, client);
  return [figure('pattern', pattern), figure('port', port)];
}

function figure(kind: 'pattern' | 'port', samples: readonly Sample[]): Figure {
  const counted = samples.filter((s) => s.waitFirst).map((s) => s.latencyMs);
  const dropped = samples.length - counted.length;
  return latencyFigure({
    id: `ready_${kind}_ms`,
    label: `${kind === 'pattern' ? 'ready line written' : 'port listening'} → wait(until ready) returns (socket)`,
    samples: counted,
    limitMs: 50,
    ...(dropped > 0 && { note: `${dropped} dropped (ready before wait was sent)` }),
  });
}

interface Run {
  jobId: string;
  /** The job's own wall-clock instant of readiness, given wait's `match`. */
  readyAt: (match: string) => number | Promise<number>;
}

async function sampleRuns(begin: () => Promise<Run>, client: DaemonClient): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const run = await begin();
    try {
      const waitSentAt = wallNowMs();
      const waited = await client.wait({ job_id: run.jobId, until: 'ready', timeout_s: 30 });
      const returnedAt = wallNowMs();
      const job = waited.jobs[0];
      if (!waited.done || waited.fired !== 'ready' || job?.match == null) {
        throw new Error(`bench: job ${run.jobId} did not become ready: ${JSON.stringify(waited)}`);
      }
      const readyAt = await run.readyAt(job.match);
      if (i >= WARMUP) {
        samples.push({ latencyMs: returnedAt - readyAt, waitFirst: waitSentAt < readyAt });
      }
    } finally {
      await client.kill({ job_id: run.jobId, signal: 'SIGKILL', grace_s: 0 });
    }
  }
  return samples;
}

async function start(client: DaemonClient, command: string, ready: ReadySpec): Promise<string> {
  const job = await client.execute({ command, ready });
  if (job.status !== 'running') {
    throw new Error(`bench: readiness job ${job.job_id} is ${job.status}, not running`);
  }
  return job.job_id;
}

/** The job's first stdout line, once written (it is, by the time the port listens). */
async function firstLine(client: DaemonClient, jobId: string): Promise<string> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { stdout } = await client.output({ job_id: jobId, stream: 'stdout' });
    const line = stdout.split('\n', 1)[0] ?? '';
    if (stdout.includes('\n')) return line;
    await delay(10);
  }
  throw new Error(`bench: job ${jobId} never printed its listen time`);
}

/** A TCP port nothing listens on right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// pyenv and similar put a shell script first on PATH; the interpreter itself starts faster.
export function pythonExecutable(): string {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  });
  const path = found.stdout?.trim();
  if (found.status !== 0 || !path) {
    throw new Error('bench: the readiness figures need python3 on PATH');
  }
  return path;
}

function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
