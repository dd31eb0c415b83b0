// Proves, in real Chromium: a table larger than its first page renders that page first and
// the rest as it is scrolled to, while its filters see every job (the whole table arrives
// behind the first page); the count of jobs shown and matching is on the page.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { makeLoginCode } from '../../src/http/login.js';
import { launchChromium } from './browser.js';
import { openHttp, type HttpHarness } from './harness.js';

let browser: Browser;
let h: HttpHarness;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());
afterEach(async () => h?.close());

const JOBS = 130;

describe('a large jobs table in Chromium', () => {
  it('shows the first page, more on scrolling, and filters over every job', async () => {
    h = await openHttp();
    const { engine, caller } = h.engine;
    const ids: string[] = [];
    for (let made = 0; made < JOBS; made += 26) {
      const batch = await Promise.all(
        Array.from({ length: 26 }, (_, i) =>
          engine.execute({ command: 'true', name: `job-${made + i}` }, { caller }),
        ),
      );
      ids.push(...batch.map((job) => job.job_id));
      await engine.wait({ job_ids: batch.map((job) => job.job_id), timeout_s: 50 }, { caller });
    }
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${h.url}/login?code=${makeLoginCode(h.token)}`);
    const table = page.locator(`table.jobs[data-total="${JOBS}"]`);
    await table.waitFor();
    const rows = page.locator('table.jobs tbody tr');
    expect(await rows.count()).toBe(100);
    await page.getByText(`100 of ${JOBS} shown`).waitFor();

    // The oldest job is past the first page: scrolling to the end brings it.
    const oldest = page.locator(`tr[data-job="${ids[0]}"]`);
    expect(await oldest.count()).toBe(0);
    await page.locator('p.more').scrollIntoViewIfNeeded();
    await oldest.waitFor();
    expect(await rows.count()).toBe(JOBS);

    // A fresh page filters over the whole table, not only its first page.
    await page.goto(`${h.url}/`);
    await table.waitFor();
    await page.getByRole('searchbox', { name: 'search' }).fill('job-0');
    await oldest.waitFor();
  });
});
