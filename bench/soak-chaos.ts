// The soak's faults: the daemon `kill -9`ed at random intervals and restarted, the MCP server
// closed and started again, the daemon's fds and RSS sampled from /proc throughout.
import { readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { Client } from '@modelcontextprotocol/client';

import { ErrorCode, isBgError } from '../src/api/errors.js';
import { startDaemon } from '../src/daemon/lifecycle.js';
import { liveDaemonPid } from '../src/daemon/pid-file.js';
import { isSameProcess, procStat } from '../src/procfs/proc.js';
import type { BenchHome } from './home.js';
import { mcpClient } from './mcp-client.js';
import { rssMb } from './proc-mem.js';

/** How long a call keeps trying while the daemon is down before the soak gives up on it. */
const DOWN_LIMIT_MS = 60_000;

/** A daemon sample from /proc: open fds and RSS in MB. */
export interface DaemonSample {
  pid: number;
  fds: number;
  rssMb: number;
  at: number;
}

export function sampleDaemon(home: string): DaemonSample | undefined {
  const pid = liveDaemonPid(home);
  if (pid === undefined) return undefined;
  const rss = rssMb(pid);
  let fds: number;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
  return rss === undefined ? undefined : { pid, fds, rssMb: rss, at: performance.now() };
}

/** True for the error a call gets when no daemon answers (killed, or not yet back). */
export function isDaemonDown(error: unknown): boolean {
  return isBgError(error) && error.code === ErrorCode.daemonUnavailable;
}

/** Runs a call that is safe to repeat, again and again while the daemon is down. */
export async function persist<T>(call: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + DOWN_LIMIT_MS;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isDaemonDown(error) || performance.now() > deadline) throw error;
      await delay(100);
    }
  }
}

/** The daemon killer: SIGKILL at random intervals, a restart after a random pause. */
export class DaemonKiller {
  kills = 0;
  /** performance.now() of each kill, to tell what a kill may have cut. */
  readonly killedAt: number[] = [];
  readonly samples: DaemonSample[] = [];
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly bench: BenchHome;
  private readonly meanIntervalMs: number;

  constructor(bench: BenchHome, meanIntervalMs: number) {
    this.bench = bench;
    this.meanIntervalMs = meanIntervalMs;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops killing; resolves once the daemon is up again. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await startDaemon(this.bench.config, { env: this.bench.env });
  }

  /** Whether a kill fell between two moments (a job's start and its end, say). */
  killedBetween(from: number, to: number): boolean {
    return this.killedAt.some((at) => at >= from && at <= to);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      // Uniform over [0.5, 1.5] × the mean: kills neither regular nor bunched.
      const wait = this.meanIntervalMs * (0.5 + Math.random());
      const until = performance.now() + wait;
      while (!this.stopping && performance.now() < until) {
        const sample = sampleDaemon(this.bench.home);
        if (sample) this.samples.push(sample);
        await delay(Math.min(1000, Math.max(0, until - performance.now())));
      }
      if (this.stopping) return;
      try {
        await this.killOnce();
      } catch (error) {
        console.error(`soak: a daemon kill or restart failed: ${String(error)}`);
      }
    }
  }

  private async killOnce(): Promise<void> {
    const pid = liveDaemonPid(this.bench.home);
    if (pid === undefined) return;
    const start = procStat(pid)?.startTime ?? null;
    process.kill(pid, 'SIGKILL');
    this.killedAt.push(performance.now());
    this.kills += 1;
    while (isSameProcess(pid, start)) await delay(10);
    // Sometimes back at once, sometimes after a while: both windows exist in real use.
    await delay(Math.random() * 1500);
    await startDaemon(this.bench.config, { env: this.bench.env });
  }
}

/** A real MCP client over stdio to `bgjobs mcp`, closed and started again on a schedule. */
export class McpRestarter {
  restarts = 0;
  private current: Client | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly bench: BenchHome;
  private readonly meanIntervalMs: number;

  constructor(bench: BenchHome, meanIntervalMs: number) {
    this.bench = bench;
    this.meanIntervalMs = meanIntervalMs;
  }

  /** The connected client, or undefined while it restarts. */
  get client(): Client | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    await this.open();
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.current?.close();
    this.current = undefined;
  }

  private async open(): Promise<void> {
    const { client, transport } = mcpClient(this.bench);
    await client.connect(transport);
    this.current = client;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const until = performance.now() + this.meanIntervalMs * (0.5 + Math.random());
      while (!this.stopping && performance.now() < until) await delay(200);
      if (this.stopping) return;
      const old = this.current;
      this.current = undefined;
      try {
        await old?.close();
        await this.open();
        this.restarts += 1;
      } catch (error) {
        console.error(`soak: restarting the MCP server failed: ${String(error)}`);
      }
    }
  }
}
