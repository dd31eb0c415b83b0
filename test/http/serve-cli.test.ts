// Proves, with the built CLI and a real daemon: `bgjobs token` prints the token (made 0600 at
// first use) and `--rotate` replaces it; `bgjobs serve --http` serves MCP and the dashboard
// and stays up while idle; `bgjobs dashboard` prints a login link that works in Chromium,
// where the table shows a job started with `bgjobs run` live; BGJOBS_HTTP_PORT turns HTTP on
// for the daemon started on demand; a taken port is an error naming its holder; a non-loopback
// host is refused without --allow-remote.
import { statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { cli, makeHome, runJob, spawnCli, teardown, until } from '../cli/cli-harness.js';
import { launchChromium } from './browser.js';
import { freePort } from '../helpers/free-port.js';

let home: string | undefined;
afterEach(async () => {
  if (home !== undefined) await teardown(home);
  home = undefined;
});

describe('bgjobs token', () => {
  it('prints the token, made 0600 at first use, and --rotate replaces it', async () => {
    home = makeHome();
    const first = await cli(home, ['token']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(home, 'http-token')).mode & 0o777).toBe(0o600);
    expect((await cli(home, ['token'])).stdout).toBe(first.stdout);
    const rotated = await cli(home, ['token', '--rotate']);
    expect(rotated.stdout.trim()).not.toBe(first.stdout.trim());
    expect((await cli(home, ['token'])).stdout).toBe(rotated.stdout);
  });
});

describe('bgjobs serve --http', () => {
  it('serves MCP and the dashboard, stays up while idle, and the table shows a CLI job live', async () => {
    home = makeHome();
    const port = await freePort();
    const env = { BGJOBS_IDLE_TIMEOUT: '1' };
    const serve = spawnCli(home, ['serve', '--http', '--port', String(port)], { env });
    await until(() => serve.seen.stderr.includes('serving HTTP'), 'the HTTP server');
    const token = (await cli(home, ['token'])).stdout.trim();
    const client = new Client({ name: 'serve-test', version: '0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );

    const link = await cli(home, ['dashboard', '--no-open']);
    expect(link.stdout.trim()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/login\\?code=`));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(link.stdout.trim());
      await page.getByText('No jobs yet.').waitFor();
      const id = await runJob(home, ['--name', 'from-cli', '--', 'sleep', '300']);
      await page.locator(`tr[data-job="${id}"][data-status="running"]`).waitFor();
      const listed = await client.callTool({ name: 'list', arguments: { all: true } });
      expect(JSON.stringify(listed.structuredContent)).toContain(id);
      await cli(home, ['kill', id, '--grace', '1']);
      await page.locator(`tr[data-job="${id}"][data-status="killed"]`).waitFor();
    } finally {
      await browser.close();
      await client.close();
    }
    // Idle for longer than BGJOBS_IDLE_TIMEOUT, with nothing running: still serving.
    const status = await until(async () => {
      const result = await cli(home ?? '', ['daemon', 'status', '--json']);
      const parsed = JSON.parse(result.stdout) as { running: boolean; uptime_s?: number };
      return parsed.running && (parsed.uptime_s ?? 0) >= 3 ? parsed : undefined;
    }, 'three seconds of uptime');
    expect(status.running).toBe(true);
    await cli(home, ['daemon', 'stop']);
    expect(await serve.exited).toBe(0);
  });

  it('turns on for the daemon started on demand with BGJOBS_HTTP_PORT', async () => {
    home = makeHome();
    const port = await freePort();
    const env = { BGJOBS_HTTP_PORT: String(port) };
    await runJob(home, ['true']);
    const link = await cli(home, ['dashboard', '--no-open'], { env });
    // The daemon was started by `run` without the setting: dashboard says how to turn it on.
    expect(link.code).toBe(1);
    expect(link.stderr).toContain('BGJOBS_HTTP_PORT');
    await cli(home, ['daemon', 'stop']);
    const started = await cli(home, ['dashboard', '--no-open'], { env });
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`http://127.0.0.1:${port}/login?code=`);
  });

  it('names the holder of a taken port, and refuses a non-loopback host without --allow-remote', async () => {
    home = makeHome();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const taken = await cli(home, ['serve', '--http', '--port', String(port)]);
      expect(taken.code).toBe(78);
      expect(taken.stderr).toContain(`Port ${port}`);
      expect(taken.stderr).toContain(`pid ${process.pid}`);
    } finally {
      holder.close();
    }
    const remote = await cli(home, ['serve', '--http', '--host', '0.0.0.0', '--port', '0']);
    expect(remote.code).toBe(78);
    expect(remote.stderr).toContain('--allow-remote');
  });
});
