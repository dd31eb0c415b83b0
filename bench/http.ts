// The HTTP server's figures: an MCP round trip over Streamable HTTP against stdio (same daemon,
// same run), how soon the dashboard's table shows a job's end, and the first render of a table
// of 1,000 jobs in Chromium.
import { setTimeout as delay } from 'node:timers/promises';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Page } from 'playwright-core';

import type { DaemonClient } from '../src/daemon/client.js';
import { makeLoginCode } from '../src/http/login.js';
import { readOrCreateToken } from '../src/http/token.js';
import { launchChromium } from '../test/http/browser.js';
import { freePort } from '../test/helpers/free-port.js';
import { cleanupHome, makeHome, startAndConnect } from './home.js';
import { bareHttpMcp } from './http-baseline.js';
import { mcpClient } from './mcp-client.js';
import { latencyFigure, type Figure } from './report.js';
import { describeSummary, summarize } from './stats.js';

// An agent's calls are a model turn apart (as in the execute bench): the figure with the target
// is made of calls that far apart. Calls back to back, after a long warm-up, are reported too.
const PACE_MS = 150;
const PACED_ROUND_TRIPS = 80;
const BURST_ROUND_TRIPS = 200;
const BURST_WARMUP = 500;
const ENDS = 20;
const TABLE_JOBS = 1000;
const RENDERS = 5;
/** The rows the table renders first (PAGE_ROWS in web/jobs-table.tsx). */
const PAGE_ROWS = 100;

export async function measureHttp(): Promise<Figure[]> {
  const port = await freePort();
  const bench = makeHome('http', { BGJOBS_HTTP_PORT: String(port) });
  const { client: daemon } = await startAndConnect(bench);
  const base = `http://127.0.0.1:${port}`;
  const token = readOrCreateToken(bench.home);
  try {
    // Before the browser starts: its processes' start-up work would land on one side or the other.
    const roundTrip = await measureRoundTrip(daemon, bench, base, token);
    const browser = await launchChromium();
    try {
      // The measuring scripts are strings (this file is typed for Node): let them past the CSP.
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${base}/login?code=${makeLoginCode(token)}`);
      const ends = await measureEnds(daemon, page);
      const renders = await measureFirstRender(daemon, page, base);
      return [...roundTrip, ends, renders];
    } finally {
      await browser.close();
    }
  } finally {
    await cleanupHome(bench, daemon);
  }
}

async function measureRoundTrip(
  daemon: DaemonClient,
  bench: Parameters<typeof mcpClient>[0],
  base: string,
  token: string,
): Promise<Figure[]> {
  const job = await daemon.execute({ command: 'true' });
  const call = { name: 'status', arguments: { job_id: job.job_id } };
  const stdio = mcpClient(bench);
  await stdio.client.connect(stdio.transport);
  const http = new Client({ name: 'bgjobs-bench', version: '0.0.0' });
  await http.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', base), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const bare = await bareHttpMcp(await http.callTool(call));
  try {
    const burst = { trips: BURST_ROUND_TRIPS, warmup: BURST_WARMUP, gapMs: 0 };
    const burstOurs = await sideBySide(http, stdio.client, call, burst);
    const burstFloor = await sideBySide(bare.client, stdio.client, call, burst);
    const paced = { trips: PACED_ROUND_TRIPS, warmup: 20, gapMs: PACE_MS };
    const ours = await sideBySide(http, stdio.client, call, paced);
    const floor = await sideBySide(bare.client, stdio.client, call, paced);
    return [
      {
        ...againstStdio(
          'mcp_http_rtt_ms',
          `MCP round trip (status) over HTTP, calls ${PACE_MS} ms apart`,
          ours,
        ),
        target: { kind: 'max', limit: 1.5, on: 'ratio' },
      },
      againstStdio(
        'mcp_http_floor_rtt_ms',
        `floor: the same client over HTTP, a bare server answering (no work), ${PACE_MS} ms apart`,
        floor,
      ),
      againstStdio(
        'mcp_http_burst_rtt_ms',
        `MCP round trip (status) over HTTP, back to back after ${BURST_WARMUP} calls`,
        burstOurs,
      ),
      againstStdio(
        'mcp_http_burst_floor_rtt_ms',
        'floor: the same client over HTTP, a bare server answering, back to back',
        burstFloor,
      ),
    ];
  } finally {
    await bare.close();
    await http.close();
    await stdio.client.close();
  }
}

/** A figure of side-by-side times: the first client's median, against stdio's (the second). */
function againstStdio(
  id: string,
  label: string,
  times: { first: number[]; second: number[]; ratios: number[] },
): Figure {
  const first = summarize(times.first);
  return {
    id,
    label,
    value: first.p50,
    unit: 'ms',
    baseline: { label: 'over stdio', value: summarize(times.second).p50 },
    ratio: summarize(times.ratios).p50,
    details: describeSummary(first, 2),
  };
}

/**
 * CALL made by FIRST and SECOND in turn, `trips` times after `warmup` calls of each, GAP_MS
 * before each timed call, alternating which goes first so that load on the machine hits both
 * alike; each one's times and the ratios.
 */
async function sideBySide(
  first: Client,
  second: Client,
  call: { name: string; arguments: Record<string, unknown> },
  { trips, warmup, gapMs }: { trips: number; warmup: number; gapMs: number },
): Promise<{ first: number[]; second: number[]; ratios: number[] }> {
  const time = async (client: Client) => {
    if (gapMs > 0) await delay(gapMs);
    const began = performance.now();
    await client.callTool(call);
    return performance.now() - began;
  };
  const times = { first: [] as number[], second: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < warmup; i++) await Promise.all([first.callTool(call), second.callTool(call)]);
  for (let i = 0; i < trips; i++) {
    const [a, b] = i % 2 === 0 ? [first, second] : [second, first];
    const one = await time(a);
    const other = await time(b);
    const [f, s] = i % 2 === 0 ? [one, other] : [other, one];
    times.first.push(f);
    times.second.push(s);
    times.ratios.push(f / s);
  }
  return times;
}

/** From the engine's record of a job's end to the table showing it, by the same clock. */
async function measureEnds(daemon: DaemonClient, page: Page): Promise<Figure> {
  const delays: number[] = [];
  for (let i = 0; i < ENDS; i++) {
    const { job_id: id } = await daemon.execute({ command: 'read x' });
    await page.locator(`tr[data-job="${id}"][data-status="running"]`).waitFor();
    // Runs in the page (a string: this file is typed for Node); ids are [a-z0-9] only.
    await page.evaluate(`(() => {
      const seen = (window.seen ??= {});
      const check = () => {
        const row = document.querySelector('tr[data-job="${id}"]');
        if (row?.getAttribute('data-status') !== 'completed' || seen['${id}'] !== undefined) return;
        seen['${id}'] = performance.timeOrigin + performance.now();
        observer.disconnect();
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    await daemon.interact({ job_id: id, input: 'go', timeout_s: 0 });
    const handle = await page.waitForFunction(`window.seen['${id}']`);
    const seenAt = Number(await handle.jsonValue());
    const status = await daemon.status({ job_id: id });
    delays.push(seenAt - Date.parse(status.ended_at ?? ''));
  }
  return latencyFigure({
    id: 'dashboard_end_shown_ms',
    label: 'job end → the dashboard table shows it',
    samples: delays,
    limitMs: 100,
    digits: 1,
  });
}

async function measureFirstRender(daemon: DaemonClient, page: Page, base: string): Promise<Figure> {
  const { total } = await daemon.list({ all: true, limit: 1 });
  for (let made = total; made < TABLE_JOBS; made += 50) {
    const count = Math.min(50, TABLE_JOBS - made);
    const batch = await Promise.all(
      Array.from({ length: count }, () => daemon.execute({ command: 'true' })),
    );
    await daemon.wait({ job_ids: batch.map((job) => job.job_id), timeout_s: 50 });
  }
  // Recorded in the page, when its table first holds the first page of rows (or all of them,
  // if fewer): the time a person sees the table, without a round trip to the bench added.
  const shown = Math.min(PAGE_ROWS, TABLE_JOBS);
  await page.addInitScript(`(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll('table.jobs tbody tr').length < ${shown}) return;
      window.tableShownAt = performance.now();
      observer.disconnect();
    });
    observer.observe(document, { subtree: true, childList: true });
  })()`);
  const renders: number[] = [];
  for (let i = 0; i < RENDERS; i++) {
    await page.goto(`${base}/`);
    const handle = await page.waitForFunction('window.tableShownAt');
    renders.push(Number(await handle.jsonValue()));
    // The whole table came too: its filters see every job.
    await page.waitForFunction(
      `document.querySelector('table.jobs')?.dataset.total === '${TABLE_JOBS}'`,
    );
  }
  return latencyFigure({
    id: 'dashboard_1000_first_render_ms',
    label: `dashboard table with ${TABLE_JOBS} jobs: first render (its first ${PAGE_ROWS} rows)`,
    samples: renders,
    limitMs: 300,
    digits: 1,
  });
}
