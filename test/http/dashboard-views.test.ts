// Proves, in real Chromium, each view at its own address (a deep link): running processes show
// a live job's pid and the port it listens on as a link, and stop it; services show a named
// job's runs and the history of its name; agents show their triggers and next run, and pause,
// resume and run now act on the daemon's agents (a run appears among the agent's runs).
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { makeLoginCode } from '../../src/http/login.js';
import { until } from '../helpers/home.js';
import { launchChromium } from './browser.js';
import { openHttp, type HttpHarness } from './harness.js';

let browser: Browser;
let h: HttpHarness;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());
afterEach(async () => h?.close());

async function open(path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${h.url}/login?code=${makeLoginCode(h.token)}`);
  await page.goto(`${h.url}${path}`);
  return page;
}

async function run(command: string, extra: Record<string, unknown> = {}): Promise<string> {
  const started = await h.engine.engine.execute({ command, ...extra }, { caller: h.engine.caller });
  return started.job_id;
}

const LISTEN = `python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(300)"`;

describe('the dashboard’s views in Chromium', () => {
  it('shows running processes with their pid and port, and stops one', async () => {
    h = await openHttp();
    const id = await run(LISTEN, { name: 'listen-1' });
    const port = await until(
      async () => (await h.engine.engine.status({ job_id: id })).ports[0],
      20_000,
      'the job to listen',
    );
    const { pid } = await h.engine.engine.status({ job_id: id });
    const page = await open('/processes');
    const row = page.locator(`tr[data-job="${id}"]`);
    await row.getByRole('link', { name: `:${port}` }).waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe(String(pid));
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Processes');
    await row.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Nothing is running.').waitFor();
    expect((await h.engine.engine.status({ job_id: id })).status).toBe('killed');
  });

  it('shows a service’s runs and the history of its name', async () => {
    h = await openHttp();
    const first = await run('exit 0', { name: 'api' });
    await h.engine.engine.wait({ job_ids: [first], timeout_s: 30 });
    const second = await run('sleep 300', {
      name: 'api',
      restart: { policy: 'always' },
    });
    const page = await open('/services');
    const service = page.locator('section[data-service="api"]');
    await service.locator(`tr[data-job="${second}"][data-status="running"]`).waitFor();
    await service.locator(`tr[data-job="${first}"][data-status="completed"]`).waitFor();
    await service.getByTestId('runs').getByText('runs: 1').waitFor();
    await service.getByText('restart: always').waitFor();
  });

  it('shows agents with triggers and next run, and pauses, resumes and runs one', async () => {
    h = await openHttp({}, { agents: true });
    const agents = h.agents!;
    await agents.start(
      { name: 'nightly', command: 'echo ran', every: '1h' },
      { cwd: h.engine.home, env: h.engine.env },
    );
    const page = await open('/agents');
    const agent = page.locator('section[data-agent="nightly"]');
    await agent.getByTestId('triggers').getByText('every 1h').waitFor();
    expect(await agent.getByTestId('next-run').textContent()).not.toContain('—');

    await agent.getByRole('button', { name: 'Pause' }).click();
    await page.locator('section[data-agent="nightly"][data-state="paused"]').waitFor();
    expect((await agents.list({ name: 'nightly' })).agents[0]?.state).toBe('paused');
    await agent.getByRole('button', { name: 'Resume' }).click();
    await page.locator('section[data-agent="nightly"][data-state="armed"]').waitFor();

    await agent.getByRole('button', { name: 'Run now' }).click();
    await agent.locator('tr[data-status="completed"]').waitFor();
    const runs = await h.engine.engine.list({ agent: 'nightly', all: true });
    expect(runs.jobs).toHaveLength(1);
  });

  it('says so where the server has no agents', async () => {
    h = await openHttp();
    const page = await open('/agents');
    await page.getByText('This server has no background agents').waitFor();
  });
});
