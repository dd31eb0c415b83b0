// Proves, in real Chromium: the job view a client that renders MCP Apps reads from the server
// (`ui://bgjobs/job.html`, linked from execute), shown by a host in a sandboxed frame that
// relays the view's tool calls to the real MCP server, shows the job, its output live (text
// written after the view opened appears), and its kill button ends the job; the view fetches
// nothing itself (the page makes no request at all).
import { fileURLToPath } from 'node:url';

import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { JOB_VIEW_URI } from '../../src/mcp/job-view.js';
import { type Harness, openHarness } from '../mcp/harness.js';
import { launchChromium } from './browser.js';

// The view reads through the host once a second; a loaded machine slows every hop of that.
const SLOW = { timeout: 20_000 };

const APPS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } };

let browser: Browser;
let host: string;
let h: Harness | undefined;
beforeAll(async () => {
  browser = await launchChromium();
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('apps-host/host.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  host = bundled.outputFiles[0]!.text;
});
afterAll(async () => browser?.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** What apps-host/host.ts adds to the page. */
interface HostPage {
  openView: (html: string, input: object, result: unknown) => Promise<void>;
}

/** Opens the host page and shows the view of this tool call's result in it. */
async function showView(
  harness: Harness,
  input: Record<string, unknown>,
  result: unknown,
): Promise<{ page: Page; requests: string[] }> {
  const read = await harness.client.readResource({ uri: JOB_VIEW_URI });
  const content = read.contents[0];
  const html = content !== undefined && 'text' in content ? content.text : '';
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.exposeFunction('relayTool', (call: { name: string; arguments?: object }) =>
    harness.client.callTool({ name: call.name, arguments: { ...call.arguments } }),
  );
  await page.setContent('<!doctype html><title>host</title><body></body>');
  await page.addScriptTag({ content: host });
  await page.evaluate(
    ([html, input, result]) => (globalThis as unknown as HostPage).openView(html, input, result),
    [html, input, result] as const,
  );
  return { page, requests };
}

describe('the job view in a sandboxed frame', () => {
  it('shows the job live through the host and its kill button ends it', async () => {
    h = await openHarness('legacy', { capabilities: APPS });
    const { tools } = await h.client.listTools();
    expect(tools.find((tool) => tool.name === 'execute')?._meta?.ui).toEqual({
      resourceUri: JOB_VIEW_URI,
    });
    const input = { command: 'echo first-line; read answer; echo "got $answer"; sleep 600' };
    const result = await h.call('execute', input);
    const jobId = (result.structuredContent as { job_id: string }).job_id;

    const { page, requests } = await showView(h, input, result);
    const view = page.frameLocator('iframe');
    await expect.poll(() => view.getByTestId('status').textContent(), SLOW).toBe('running');
    await expect.poll(() => view.getByTestId('output').textContent(), SLOW).toContain('first-line');
    expect(await view.getByText(jobId).count()).toBeGreaterThan(0);

    // Written after the view opened: it appears, read through the host.
    await h.call('interact', { job_id: jobId, input: 'from-the-test' });
    await expect
      .poll(() => view.getByTestId('output').textContent(), SLOW)
      .toContain('got from-the-test');

    await view.getByRole('button', { name: 'Kill' }).click();
    await expect.poll(() => view.getByTestId('status').textContent(), SLOW).toBe('killed');
    const status = await h.call('status', { job_id: jobId });
    expect((status.structuredContent as { status: string }).status).toBe('killed');
    // The frame is sandboxed (an opaque origin) and the view reads through the bridge only.
    expect(await page.locator('iframe').getAttribute('sandbox')).toBe('allow-scripts');
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows the job a status or wait result is about', async () => {
    h = await openHarness('legacy', { capabilities: APPS });
    const started = await h.call('execute', { command: 'echo done-here', wait_s: 5 });
    const jobId = (started.structuredContent as { job_id: string }).job_id;
    const waited = await h.call('wait', { job_id: jobId, timeout_s: 5 });
    const { page } = await showView(h, { job_id: jobId }, waited);
    const view = page.frameLocator('iframe');
    await expect.poll(() => view.getByTestId('status').textContent(), SLOW).toBe('completed');
    await expect.poll(() => view.getByTestId('output').textContent(), SLOW).toContain('done-here');
    expect(await view.getByRole('button', { name: 'Kill' }).count()).toBe(0);
    await page.close();
  });
});
