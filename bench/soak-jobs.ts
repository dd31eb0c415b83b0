// The soak's jobs: each kind started with what it is made to produce written down beside it.
import { setTimeout as delay } from 'node:timers/promises';

import type { Caller } from '../src/api/caller.js';
import type { JobStatus } from '../src/api/job-status.js';
import type { DaemonClient } from '../src/daemon/client.js';
import { FAKE_MODEL, FAKE_PROMPT, type FakeOpenAi } from './fake-openai.js';
import { isDaemonDown, persist, type DaemonKiller, type McpRestarter } from './soak-chaos.js';

export const KINDS = [
  'short',
  'mcp',
  'sleeper',
  'forever',
  'flood',
  'interactive',
  'pty',
  'service',
  'prompt',
] as const;
export type Kind = (typeof KINDS)[number];

/** What a job was made to produce. */
export interface Expect {
  status: JobStatus;
  exitCode?: number;
  /** Exactly this many bytes of stdout, each `x`. */
  stdoutBytes?: number;
  /** Text its stdout must contain. */
  stdoutHas?: string;
  /** For a service: how many runs it takes to stay up. */
  runs?: number;
}

export interface Tracked {
  kind: Kind;
  name: string;
  jobId: string;
  expect: Expect;
  startedAt: number;
}

export interface SoakContext {
  client: DaemonClient;
  caller: Caller;
  fake: FakeOpenAi;
  mcp: McpRestarter;
  killer: DaemonKiller;
  home: string;
  /** Starts whose reply a kill cut: found afterwards by name, or sent again. */
  interrupted: { found: number; resent: number };
  /** Jobs the daemon recorded although a kill cut the reply to their start. */
  cutStarts: Set<string>;
  /** Interact calls a kill cut, sent again. */
  interactRetries: number;
}

const MAX_FLOOD_BYTES = 4 * 1024 * 1024;
let serial = 0;

const randomInt = (below: number): number => Math.floor(Math.random() * below);

/** Starts one job of this kind; undefined when it could not be started (the MCP server away). */
export async function startJob(ctx: SoakContext, kind: Kind): Promise<Tracked | undefined> {
  serial += 1;
  const name = `soak-${kind}-${serial}`;
  const startedAt = performance.now();
  const track = (jobId: string, expect: Expect): Tracked => ({
    kind,
    name,
    jobId,
    expect,
    startedAt,
  });
  switch (kind) {
    case 'short': {
      const code = randomInt(4);
      const id = await execute(ctx, { command: `echo ${name}; exit ${code}`, name });
      return track(id, { ...ended(code), stdoutHas: `${name}\n` });
    }
    case 'mcp':
      return startOverMcp(ctx, name, startedAt);
    case 'sleeper': {
      // Long enough that most sleepers see a daemon kill while their monitor runs.
      const seconds = 2 + randomInt(20);
      const code = 10 + randomInt(5);
      const command = `sleep ${seconds}; echo ${name}; exit ${code}`;
      return track(await execute(ctx, { command, name }), { ...ended(code), stdoutHas: name });
    }
    case 'forever': {
      const id = await execute(ctx, { command: `echo ${name}; exec sleep 100000`, name });
      return track(id, { status: 'killed', stdoutHas: name });
    }
    case 'flood': {
      const bytes = 1 + randomInt(MAX_FLOOD_BYTES);
      const command = `head -c ${bytes} /dev/zero | tr '\\0' x`;
      return track(await execute(ctx, { command, name }), { ...ended(0), stdoutBytes: bytes });
    }
    case 'interactive':
      return track(...(await interactive(ctx, name)));
    case 'pty': {
      const code = randomInt(4);
      const id = await execute(ctx, { command: `echo ${name}; exit ${code}`, name, pty: true });
      return track(id, { ...ended(code), stdoutHas: name });
    }
    case 'service': {
      // Fails three times, then stays up until killed at the end.
      const counter = `${ctx.home}/${name}.count`;
      const command =
        `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 )); echo $n > ${counter}; ` +
        `if [ $n -le 3 ]; then echo fail $n; exit 1; fi; echo up-${name}; exec sleep 100000`;
      const restart = { policy: 'on-failure' as const, max_restarts: 10, min_uptime_s: 1 };
      const id = await execute(ctx, { command, name, restart });
      return track(id, { status: 'killed', stdoutHas: `up-${name}`, runs: 4 });
    }
    case 'prompt': {
      const caller = { ...ctx.caller, env: { ...ctx.caller.env, ...ctx.fake.env } };
      const id = await startOnce(ctx, name, async () => {
        const job = await ctx.client.prompt(
          { prompt: FAKE_PROMPT, model: FAKE_MODEL, name },
          { caller },
        );
        return job.job_id;
      });
      return track(id, { status: 'completed', stdoutHas: ctx.fake.text });
    }
  }
}

function ended(code: number): Expect {
  return { status: code === 0 ? 'completed' : 'failed', exitCode: code };
}

type ExecuteInput = Parameters<DaemonClient['execute']>[0];

function execute(ctx: SoakContext, input: ExecuteInput): Promise<string> {
  const name = (input as { name: string }).name;
  return startOnce(ctx, name, async () => {
    const job = await ctx.client.execute(input, { caller: ctx.caller });
    return job.job_id;
  });
}

/**
 * Starts a job once. A start is not safe to repeat, so when a kill cuts its reply the job is
 * looked up by its unique name; only a job the daemon never recorded is started again.
 */
async function startOnce(
  ctx: SoakContext,
  name: string,
  start: () => Promise<string>,
): Promise<string> {
  for (;;) {
    try {
      return await start();
    } catch (error) {
      if (!isDaemonDown(error)) throw error;
    }
    const found = await persist(() => ctx.client.list({ name, all: true, limit: 5 }));
    const job = found.jobs.find((j) => j.name === name);
    if (job) {
      ctx.interrupted.found += 1;
      ctx.cutStarts.add(job.job_id);
      return job.job_id;
    }
    ctx.interrupted.resent += 1;
  }
}

/** python3 -i answered with interact: a product printed, then an exit code chosen by input. */
async function interactive(ctx: SoakContext, name: string): Promise<[string, Expect]> {
  const id = await execute(ctx, { command: 'exec python3 -i -q', name });
  const a = 100 + randomInt(900);
  const b = 100 + randomInt(900);
  const code = randomInt(4);
  try {
    await untilRunning(ctx, id);
    await answer(ctx, id, `print(${a}*${b})`, String(a * b));
    await answer(ctx, id, `raise SystemExit(${code})`, undefined);
  } catch (error) {
    // Not left waiting for input forever, holding a slot.
    await persist(() => ctx.client.kill({ job_id: id, signal: 'SIGKILL', grace_s: 0 }));
    throw error;
  }
  return [id, { ...ended(code), stdoutHas: String(a * b) }];
}

/** A queued job takes no input: wait for its start (30 s at most). */
async function untilRunning(ctx: SoakContext, id: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { status } = await persist(() => ctx.client.status({ job_id: id }));
    if (status !== 'queued') return;
    if (performance.now() > deadline) throw new Error(`job ${id} still queued after 30 s`);
    await delay(50);
  }
}

async function answer(
  ctx: SoakContext,
  id: string,
  input: string,
  expect: string | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await ctx.client.interact({ job_id: id, input, expect, timeout_s: 10 });
      return;
    } catch (error) {
      if (!isDaemonDown(error)) throw error;
      ctx.interactRetries += 1;
    }
    // The input may have landed before the kill: send it again only to a job still waiting.
    const status = await persist(() => ctx.client.status({ job_id: id }));
    if (status.status !== 'running') return;
    if (expect !== undefined) {
      const seen = await persist(() => ctx.client.output({ job_id: id }));
      if (seen.stdout.includes(expect)) return;
    }
  }
}

/** A short job started through the MCP server's `execute` tool. */
async function startOverMcp(
  ctx: SoakContext,
  name: string,
  startedAt: number,
): Promise<Tracked | undefined> {
  const mcp = ctx.mcp.client;
  if (mcp === undefined) return undefined;
  const code = randomInt(4);
  let data: { job_id?: unknown };
  try {
    const result = await mcp.callTool({
      name: 'execute',
      arguments: { command: `echo ${name}; exit ${code}`, name },
    });
    data = result.structuredContent ?? {};
  } catch {
    // The server was being closed for a restart: no job, or one found by name below.
    data = {};
  }
  let jobId = typeof data.job_id === 'string' ? data.job_id : undefined;
  if (jobId === undefined) {
    const found = await persist(() => ctx.client.list({ name, all: true, limit: 5 }));
    jobId = found.jobs.find((j) => j.name === name)?.job_id;
  }
  if (jobId === undefined) return undefined;
  return { kind: 'mcp', name, jobId, expect: { ...ended(code), stdoutHas: name }, startedAt };
}
