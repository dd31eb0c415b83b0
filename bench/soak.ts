// `npm run soak`: jobs of every kind for BGJOBS_SOAK_MINUTES (10) while the daemon is `kill -9`ed
// and the MCP server restarted; then every job's exit code and output checked. See README "Soak".
import { cpus } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

import { startFakeOpenAi } from './fake-openai.js';
import { cleanupAllHomes, cleanupHome, makeHome, startAndConnect } from './home.js';
import { evaluate, formatJson, formatTable, type Figure } from './report.js';
import { DaemonKiller, McpRestarter, sampleDaemon, type DaemonSample } from './soak-chaos.js';
import { check, settle } from './soak-check.js';
import { KINDS, startJob, type Kind, type SoakContext, type Tracked } from './soak-jobs.js';

const WORKERS = 4;
// How often each kind is picked, against the others.
const WEIGHTS: Record<Kind, number> = {
  short: 4,
  mcp: 2,
  sleeper: 2,
  forever: 1,
  flood: 2,
  interactive: 1,
  pty: 2,
  service: 1,
  prompt: 2,
};

async function main(): Promise<void> {
  const minutes = Number(process.env.BGJOBS_SOAK_MINUTES ?? '10');
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new Error(`soak: BGJOBS_SOAK_MINUTES must be a positive number, not "${minutes}"`);
  }
  const durationMs = minutes * 60_000;
  // About six kills a minute in a short run, one every 20 s in a long one.
  const killEveryMs = Math.min(20_000, Math.max(5_000, durationMs / 6));
  // Room for the jobs that live until the end and a steady stream of others beside them.
  const bench = makeHome('soak', { BGJOBS_MAX_JOBS: '100' });
  const fake = await startFakeOpenAi({ chunks: ['Hello', ', ', 'soak', '.'], delayMs: 200 });
  process.once('SIGINT', () => void interrupted(() => fake.close()));
  const { client } = await startAndConnect(bench);
  const startSample = sampleDaemon(bench.home);
  const killer = new DaemonKiller(bench, killEveryMs);
  const mcp = new McpRestarter(bench, killEveryMs * 1.5);
  const ctx: SoakContext = {
    client,
    caller: { cwd: bench.home, env: bench.env, reader: 'soak' },
    fake,
    mcp,
    killer,
    home: bench.home,
    interrupted: { found: 0, resent: 0 },
    cutStarts: new Set(),
    interactRetries: 0,
  };
  const jobs: Tracked[] = [];
  const startErrors: string[] = [];
  const began = performance.now();
  try {
    await mcp.start();
    killer.start();
    log(
      `running for ${minutes} min, a daemon kill every ~${killEveryMs / 1000} s, in ${bench.home}`,
    );
    const deadline = began + durationMs;
    await Promise.all(
      Array.from({ length: WORKERS }, () => work(ctx, deadline, jobs, startErrors, minutes)),
    );
    log(`${jobs.length} jobs started; stopping the faults and ending every job…`);
    await killer.stop();
    await mcp.stop();
    await settle(client, jobs);
    const verdict = await check(client, jobs, ctx, bench.config.maxOutputBytes);
    const endSample = sampleDaemon(bench.home);
    const durationS = (performance.now() - began) / 1000;
    const figures = report(ctx, jobs, startErrors, verdict, durationS, startSample, endSample);
    const rows = figures.map(evaluate);
    console.log(
      `\nbgjobs soak — node ${process.version}, ${cpus().length} CPU(s), ${minutes} min\n`,
    );
    console.log(formatTable(rows));
    for (const line of [...startErrors, ...verdict.problems].slice(0, 40)) console.log(`  ${line}`);
    const failed = rows.filter((row) => row.pass === false);
    console.log(`\n${rows.filter((row) => row.pass).length} passed, ${failed.length} failed`);
    console.log(formatJson(rows, { node: process.version, minutes, kinds: countKinds(jobs) }));
    process.exitCode = failed.length > 0 ? 1 : 0;
  } finally {
    await mcp.stop().catch(() => undefined);
    await cleanupHome(bench, client);
    await fake.close();
  }
}

/** One worker: starts jobs of random kinds until the deadline. */
async function work(
  ctx: SoakContext,
  deadline: number,
  jobs: Tracked[],
  startErrors: string[],
  minutes: number,
): Promise<void> {
  // Jobs that live until the end are capped, so that live processes stay in the hundreds.
  const endless = Math.ceil(5 + 3 * minutes);
  while (performance.now() < deadline && !stopping) {
    let kind = pick();
    const counts = countKinds(jobs);
    if ((kind === 'forever' || kind === 'service') && counts[kind] >= endless) kind = 'short';
    try {
      const job = await startJob(ctx, kind);
      if (job) jobs.push(job);
    } catch (error) {
      startErrors.push(`start of a ${kind} job failed: ${String(error)}`);
    }
    await delay(50 + Math.random() * 200);
  }
}

function pick(): Kind {
  const total = KINDS.reduce((sum, kind) => sum + WEIGHTS[kind], 0);
  let at = Math.random() * total;
  for (const kind of KINDS) {
    at -= WEIGHTS[kind];
    if (at < 0) return kind;
  }
  return 'short';
}

function countKinds(jobs: readonly Tracked[]): Record<Kind, number> {
  const counts = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>;
  for (const job of jobs) counts[job.kind] += 1;
  return counts;
}

function report(
  ctx: SoakContext,
  jobs: readonly Tracked[],
  startErrors: readonly string[],
  verdict: Awaited<ReturnType<typeof check>>,
  durationS: number,
  start: DaemonSample | undefined,
  end: DaemonSample | undefined,
): Figure[] {
  const kinds = Object.entries(countKinds(jobs)).map(([kind, n]) => `${kind} ${n}`);
  const samples = ctx.killer.samples;
  const maxRss = Math.max(0, ...samples.map((s) => s.rssMb), end?.rssMb ?? 0);
  const maxFds = Math.max(0, ...samples.map((s) => s.fds), end?.fds ?? 0);
  const age = end && ctx.killer.killedAt.length > 0 ? (performance.now() - last(ctx)) / 1000 : 0;
  const zero = { kind: 'max', limit: 0, on: 'value' } as const;
  const info = (id: string, label: string, value: number, unit: string, details?: string) =>
    ({ id, label, value, unit, details }) satisfies Figure;
  return [
    info('soak_duration_s', 'duration', durationS, 's'),
    info('soak_jobs', 'jobs run', jobs.length, 'jobs', kinds.join(', ')),
    info('soak_daemon_kills', 'daemon kill -9s survived', ctx.killer.kills, 'kills'),
    info('soak_mcp_restarts', 'MCP server restarts', ctx.mcp.restarts, 'restarts'),
    { ...info('soak_exit_lost', 'exit codes lost', verdict.exitLost, 'jobs'), target: zero },
    { ...info('soak_bytes_lost', 'bytes lost', verdict.bytesLost, 'bytes'), target: zero },
    {
      ...info('soak_output_wrong', 'output missing its text', verdict.outputWrong, 'jobs'),
      target: zero,
    },
    {
      ...info('soak_start_errors', 'starts failed (not cut by a kill)', startErrors.length, 'jobs'),
      target: zero,
    },
    info(
      'soak_starts_cut',
      'starts whose reply a kill cut',
      ctx.interrupted.found + ctx.interrupted.resent,
      'starts',
      `${ctx.interrupted.found} found by name, ${ctx.interrupted.resent} never recorded and sent again; ${ctx.interactRetries} interact calls re-sent`,
    ),
    info(
      'soak_prompts_cut',
      'prompts failed with a kill in their life',
      verdict.promptsCutByKill,
      'prompts',
      'a prompt in flight when the daemon dies may fail (not counted as lost)',
    ),
    info('soak_daemon_fds_start', 'daemon fds at start', start?.fds ?? NaN, 'fds'),
    info('soak_daemon_fds_end', 'daemon fds at end', end?.fds ?? NaN, 'fds', `max ${maxFds}`),
    info('soak_daemon_rss_start_mb', 'daemon RSS at start', start?.rssMb ?? NaN, 'MB'),
    info(
      'soak_daemon_rss_end_mb',
      'daemon RSS at end',
      end?.rssMb ?? NaN,
      'MB',
      `max ${maxRss.toFixed(1)} MB; the end daemon ran ${age.toFixed(0)} s since the last kill`,
    ),
  ];
}

function last(ctx: SoakContext): number {
  return ctx.killer.killedAt[ctx.killer.killedAt.length - 1] ?? 0;
}

let stopping = false;

async function interrupted(closeFake: () => Promise<void>): Promise<void> {
  stopping = true;
  log('interrupted: cleaning up…');
  await cleanupAllHomes();
  await closeFake();
  process.exit(130);
}

function log(message: string): void {
  console.error(`soak: ${message}`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await cleanupAllHomes();
  process.exit(1);
});
