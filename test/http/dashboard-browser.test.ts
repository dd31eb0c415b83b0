// Proves, in real Chromium: the login link sets an HttpOnly, SameSite=Strict session cookie and
// lands on the table; the table shows a job started elsewhere (through the API, as the CLI
// does) live, and its end; a job page streams output as it is written; the kill button ends
// the job; a PTY job's terminal takes typed input; without the cookie the page gets nothing.
// With BGJOBS_SCREENSHOTS=DIR it saves the README's screenshots there.
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
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

const screenshots = process.env.BGJOBS_SCREENSHOTS;

async function loggedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${h.url}/login?code=${makeLoginCode(h.token)}`);
  return page;
}

async function run(command: string, extra: Record<string, unknown> = {}): Promise<string> {
  const started = await h.engine.engine.execute({ command, ...extra }, { caller: h.engine.caller });
  return started.job_id;
}

describe('the dashboard in Chromium', () => {
  it('logs in with the link: an HttpOnly SameSite=Strict cookie, and the table', async () => {
    h = await openHttp();
    const page = await loggedIn();
    expect(new URL(page.url()).pathname).toBe('/');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'bgjobs_session', httpOnly: true, sameSite: 'Strict' });
    await page.getByText('No jobs yet.').waitFor();
  });

  it('shows a job started elsewhere live, and its end', async () => {
    h = await openHttp();
    const page = await loggedIn();
    await page.getByText('No jobs yet.').waitFor();
    const id = await run('read line; echo "got $line"', { name: 'web-server' });
    const row = page.locator(`tr[data-job="${id}"]`);
    await row.and(page.locator('[data-status="running"]')).waitFor();
    await expect.poll(() => page.title()).toContain('1 running');
    await h.engine.engine.interact({ job_id: id, input: 'go', timeout_s: 0 });
    await row.and(page.locator('[data-status="completed"]')).waitFor();
    expect(await row.locator('td').nth(6).textContent()).toBe('0');
    if (screenshots !== undefined) {
      await run('npm run dev -- --port 5173', { name: 'dev-server' });
      await run('exit 3', { name: 'lint' });
      await run('sleep 300');
      await page.locator('[data-status="failed"]').waitFor();
      await page.screenshot({ path: join(screenshots, 'dashboard-table.png') });
    }
  });

  it('streams a job’s output on its page as it is written, and the kill button ends it', async () => {
    h = await openHttp();
    const id = await run(
      'i=0; while true; do i=$((i+1)); printf "\\033[32mline %s\\033[0m\\n" $i; sleep 0.2; done',
    );
    const page = await loggedIn();
    await page.goto(`${h.url}/jobs/${id}`);
    const output = page.getByTestId('output');
    await output.getByText('line 2', { exact: true }).waitFor();
    // Written after the page opened: it came over the stream.
    await output.getByText('line 12', { exact: true }).waitFor();
    expect(await output.locator('span.fg-2').first().textContent()).toMatch(/^line \d+$/);
    if (screenshots !== undefined)
      await page.screenshot({ path: join(screenshots, 'dashboard-job.png') });
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.getByTestId('status').getByText('killed').waitFor();
    expect((await h.engine.engine.status({ job_id: id })).status).toBe('killed');
  });

  it('types into a PTY job’s terminal', async () => {
    h = await openHttp();
    const id = await run('printf "name? "; read name; echo "hello, $name"; sleep 300', {
      pty: true,
    });
    const page = await loggedIn();
    await page.goto(`${h.url}/jobs/${id}`);
    const terminal = page.getByTestId('terminal');
    await terminal.getByText('name?').waitFor();
    await terminal.click();
    await page.keyboard.type('Ada');
    await page.keyboard.press('Enter');
    await terminal.getByText('hello, Ada').waitFor();
    const read = await h.engine.engine.output({ job_id: id });
    expect(read.stdout).toContain('hello, Ada');
  });

  it('gives a browser without the cookie nothing', async () => {
    h = await openHttp();
    await run('echo top-secret-output', { name: 'secret-job' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const reply = await page.goto(`${h.url}/`);
    expect(reply?.status()).toBe(401);
    const text = await page.locator('body').textContent();
    expect(text).toContain('Not authorised');
    expect(text).not.toContain('secret-job');
    const events = await page.evaluate(async () => (await fetch('/api/events')).status);
    expect(events).toBe(401);
    await context.close();
  });
});
