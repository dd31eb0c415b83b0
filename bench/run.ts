// `npm run bench`: bgjobs' performance targets, measured in private temp homes, as a table and JSON.
import { cpus, loadavg } from 'node:os';

import { Engine } from '../src/engine/engine.js';
import { measureAgents } from './agents.js';
import { measureCliStart } from './cli-start.js';
import { measureExecute } from './execute-latency.js';
import { measureLockedReport, measureOversized, measureSocketRecovery } from './faults.js';
import { measureHomeRefusals } from './home-faults.js';
import { measureSearchGuard } from './search-guard.js';
import { measureFlood } from './flood.js';
import { measureHttp } from './http.js';
import { measureInteract, measurePtyInteract } from './interact.js';
import { cleanupAllHomes, cleanupHome, makeHome, startAndConnect } from './home.js';
import { measureList } from './list.js';
import { measureMonitors } from './monitors.js';
import { measureNotification } from './notification.js';
import { CONCURRENT_PROMPTS, measurePromptMemory } from './prompt-memory.js';
import { measurePromptKill } from './prompt-kill.js';
import { measurePromptOverhead } from './prompt-overhead.js';
import { measureReadiness } from './readiness.js';
import { measureRemote } from './remote.js';
import { measureScenarios } from './scenarios.js';
import { evaluate, formatJson, formatTable, type Figure } from './report.js';
import { measureTail } from './tail.js';
import { measureToolListing } from './tool-listing.js';

type Step = () => Promise<Figure[]>;

const STEPS: readonly [string, Step][] = [
  ['execute latency over MCP stdio', measureExecute],
  ['cli start: --version and ls against node -e 0', measureCliStart],
  ['tool listing: tools/list bytes over MCP stdio', measureToolListing],
  ['1 GiB output flood, daemon RSS, tail', floodAndTail],
  ['200 running job monitors', monitors],
  ['list with 1,000 jobs', list],
  ['readiness latency (pattern, port)', readiness],
  ['interact latency (python3 -i), API and CLI', interact],
  ['resource update latency over MCP stdio', notification],
  ['prompt overhead and kill against a fake OpenAI', promptOverhead],
  [`${CONCURRENT_PROMPTS} streaming prompts, daemon RSS`, promptMemory],
  ['http: MCP round trip against stdio, dashboard end latency and first render', measureHttp],
  ['background agents: change → run, 100,000-file tree, idle CPU', measureAgents],
  ['agent economy: seven goals in calls and bytes over MCP stdio', measureScenarios],
  ['faults: oversized MCP messages, deleted socket, locked, damaged, read-only, full home', faults],
  ['remote workers: 1,000 jobs over three, output and kill latency, worker RSS', measureRemote],
];

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const figures: Figure[] = [];
  const timings: Record<string, number> = {};
  // BGJOBS_BENCH_ONLY=prompt runs only the steps whose name contains that text.
  const only = process.env.BGJOBS_BENCH_ONLY;
  for (const [name, step] of STEPS) {
    if (only !== undefined && !name.includes(only)) continue;
    const stepBegan = performance.now();
    log(`${name}…`);
    figures.push(...(await step()));
    timings[name] = Math.round(performance.now() - stepBegan) / 1000;
    log(`${name}: ${timings[name]} s`);
    collectGarbage();
  }
  const rows = figures.map(evaluate);
  const totalS = Math.round(performance.now() - began) / 1000;
  // Other work on the machine inflates every latency here; say how busy it was.
  const load = [loadBefore, loadavg()[0] ?? 0].map((l) => l.toFixed(2));
  console.log(
    `\nbgjobs bench — node ${process.version}, ${cpus().length} CPU(s), ${totalS} s, load average ${load.join(' → ')} (the latter includes the bench)\n`,
  );
  if (loadBefore > cpus().length / 2) {
    console.log(
      'warning: the machine was already busy when the bench began; latencies are pessimistic\n',
    );
  }
  console.log(formatTable(rows));
  const failed = rows.filter((row) => row.pass === false);
  console.log(`\n${rows.filter((row) => row.pass).length} passed, ${failed.length} failed`);
  console.log(
    formatJson(rows, {
      node: process.version,
      cpus: cpus().length,
      total_s: totalS,
      steps_s: timings,
    }),
  );
}

async function floodAndTail(): Promise<Figure[]> {
  const bench = makeHome('flood');
  const { client, daemonPid } = await startAndConnect(bench);
  try {
    const flood = await measureFlood(client, daemonPid, bench.home, bench.env);
    const tail = await measureTail(client, bench, flood.gibJobId);
    return [...flood.figures, ...tail];
  } finally {
    await cleanupHome(bench, client);
  }
}

async function monitors(): Promise<Figure[]> {
  const bench = makeHome('monitors', { BGJOBS_MAX_JOBS: '250' });
  const { client, daemonPid } = await startAndConnect(bench);
  try {
    return await measureMonitors(client, daemonPid, bench.env);
  } finally {
    await cleanupHome(bench, client);
  }
}

async function list(): Promise<Figure[]> {
  const bench = makeHome('list');
  const { client } = await startAndConnect(bench);
  try {
    return await measureList(client, bench);
  } finally {
    await cleanupHome(bench, client);
  }
}

async function readiness(): Promise<Figure[]> {
  const bench = makeHome('ready');
  const { client } = await startAndConnect(bench);
  try {
    return await measureReadiness(client, bench);
  } finally {
    await cleanupHome(bench, client);
  }
}

async function interact(): Promise<Figure[]> {
  const bench = makeHome('interact');
  const { client } = await startAndConnect(bench);
  try {
    return [...(await measureInteract(client, bench)), ...(await measurePtyInteract(client))];
  } finally {
    await cleanupHome(bench, client);
  }
}

async function faults(): Promise<Figure[]> {
  const bench = makeHome('faults');
  const { client } = await startAndConnect(bench);
  try {
    return [
      ...(await measureOversized(bench)),
      ...(await measureSocketRecovery(bench)),
      ...(await measureLockedReport(bench)),
      ...(await measureHomeRefusals()),
      ...(await measureSearchGuard()),
    ];
  } finally {
    await cleanupHome(bench, client);
  }
}

async function notification(): Promise<Figure[]> {
  const bench = makeHome('notify');
  const { client } = await startAndConnect(bench);
  try {
    return await measureNotification(client, bench);
  } finally {
    await cleanupHome(bench, client);
  }
}

async function promptOverhead(): Promise<Figure[]> {
  const bench = makeHome('prompt');
  const engineHome = makeHome('prompt-engine');
  const { client } = await startAndConnect(bench);
  const engine = await Engine.open(engineHome.config);
  try {
    const overhead = await measurePromptOverhead(client, bench, { api: engine, home: engineHome });
    return [...overhead, ...(await measurePromptKill(client, bench))];
  } finally {
    await engine.close();
    await cleanupHome(engineHome);
    await cleanupHome(bench, client);
  }
}

async function promptMemory(): Promise<Figure[]> {
  const bench = makeHome('prompts', { BGJOBS_MAX_LLM_JOBS: String(CONCURRENT_PROMPTS) });
  const { client, daemonPid } = await startAndConnect(bench);
  try {
    return await measurePromptMemory(client, daemonPid, bench);
  } finally {
    await cleanupHome(bench, client);
  }
}

// Started with --expose-gc: collect between steps so one step's garbage does not time the next.
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function onSignal(signal: NodeJS.Signals): void {
  log(`${signal}: cleaning up`);
  void cleanupAllHomes().finally(() => process.exit(130));
}

process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  await main();
} catch (error) {
  console.error(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  await cleanupAllHomes();
}
