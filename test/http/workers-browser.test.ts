// Proves, in real Chromium with a real redis-server and a real `bgjobs worker` process: the
// workers view (/workers, a deep link) lists each worker with its host, labels, running count
// and a live heartbeat; a job run on it shows up under it, linking to its page, which shows
// `on` and `worker` (and offers no run again here); its kill shows under the worker; a worker
// that stops turns gone without the page asking again (the server pushes); a server without
// BGJOBS_REDIS_URL says so.
import { hostname } from 'node:os';

import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { makeLoginCode } from '../../src/http/login.js';
import { startWorker, stopRemote, type TestWorker } from '../remote/harness.js';
import { startRedis, type TestRedis } from '../remote/redis-server.js';
import { launchChromium } from './browser.js';
import { openHttp, type HttpHarness } from './harness.js';

let browser: Browser;
let h: HttpHarness | undefined;
let redis: TestRedis | undefined;
let worker: TestWorker | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());
afterEach(async () => {
  try {
    await stopRemote({ close: () => h?.close(), worker, redis });
  } finally {
    h = worker = redis = undefined;
  }
});

async function open(server: HttpHarness, path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/login?code=${makeLoginCode(server.token)}`);
  await page.goto(`${server.url}${path}`);
  return page;
}

describe('the workers view in Chromium', () => {
  it('lists a worker with its labels and the jobs run on it, live', async () => {
    redis = await startRedis();
    const server = (h = await openHttp({ BGJOBS_REDIS_URL: redis.url.href }));
    worker = await startWorker(redis, { name: 'gpu-box', labels: ['gpu', 'linux'] });
    const page = await open(server, '/workers');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Workers');
    const section = page.locator('section[data-worker="gpu-box"][data-state="live"]');
    await section.waitFor();
    expect(await section.getByTestId('labels').textContent()).toBe('labels: gpu, linux');
    expect(await section.getByTestId('host').textContent()).toBe(`host: ${hostname()}`);
    expect(await section.getByTestId('last-seen').textContent()).toMatch(
      /^last heartbeat: \d+ s ago$/,
    );

    const { job_id } = await server.engine.engine.execute(
      { command: 'sleep 300', on: 'gpu', name: 'trainer' },
      { caller: server.engine.caller },
    );
    const row = section.locator(`tr[data-job="${job_id}"][data-status="running"]`);
    await row.waitFor();
    await section.getByTestId('running').getByText('running: 1 of 4').waitFor();
    await row.getByRole('link', { name: 'trainer' }).click();
    await page.waitForURL(`**/jobs/${job_id}`);
    expect(await page.getByTestId('on').textContent()).toBe('gpu');
    expect(await page.getByTestId('worker').textContent()).toBe(`gpu-box (${hostname()})`);
    // Run again would start it on this machine, with this machine's folder: not offered.
    expect(await page.getByRole('button', { name: 'Restart' }).count()).toBe(0);

    await page.goto(`${server.url}/workers`);
    await section.waitFor();
    await server.engine.engine.kill({ job_id, grace_s: 1 });
    await section.locator(`tr[data-job="${job_id}"][data-status="killed"]`).waitFor();
    await worker.stop();
    await page.locator('section[data-worker="gpu-box"][data-state="gone"]').waitFor();
    expect(
      await page.locator('section[data-worker="gpu-box"]').getByTestId('state').textContent(),
    ).toBe('gone (stopped)');
  });

  it('says so where the server has no BGJOBS_REDIS_URL', async () => {
    const server = (h = await openHttp());
    const page = await open(server, '/workers');
    await page.getByText('This server has no BGJOBS_REDIS_URL').waitFor();
  });
});
