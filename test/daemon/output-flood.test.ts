// Proves: an output flood cannot fill the disk or the daemon's memory — `yes` for 10 s and
// 1 GiB without a newline leave each stream's logs within the cap on disk, report the dropped
// bytes, keep the daemon's RSS bounded, and tail/output/search still answer, bounded.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readFileSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, type DaemonClient } from '../../src/daemon/client.js';
import { daemonStatus } from '../../src/daemon/lifecycle.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

const CAP = 10 * 1024 * 1024;
const BLOCK = 4096;
const MAX_DAEMON_RSS = 150 * 1024 * 1024;

let h: TestHome;
let api: DaemonClient;
beforeEach(async () => {
  h = makeHome();
  api = await connect(h.config());
});
afterEach(async () => {
  api.close();
  await h.cleanup();
});

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function onDisk(home: string, id: string, stream: string): number {
  return statSync(join(home, 'jobs', id, stream)).blocks * 512;
}

async function sampleRss(pid: number, until: () => Promise<boolean>): Promise<number> {
  let max = 0;
  while (!(await until())) {
    max = Math.max(max, rssBytes(pid));
    await delay(250);
  }
  return max;
}

describe('output flood', () => {
  it('caps `yes` running for 10 s', async () => {
    const caller = { cwd: process.cwd(), env: h.env, reader: 'test' };
    const job = await api.execute({ command: 'yes' }, { caller });
    const pid = (await daemonStatus(h.config())).pid!;
    const stopAt = Date.now() + 10_000;
    const maxRss = await sampleRss(pid, () => Promise.resolve(Date.now() >= stopAt));
    await api.kill({ job_id: job.job_id, grace_s: 1 });
    const status = await api.status({ job_id: job.job_id });
    expect(status.stdout.bytes).toBeGreaterThan(10 * CAP);
    expect(status.stdout.dropped).toBe(status.stdout.bytes - CAP);
    // The cap is enforced by punching holes every 200 ms and once more as the job ends.
    await until(
      () => onDisk(h.home, job.job_id, 'stdout') <= CAP + BLOCK,
      5000,
      'the logs to be within the cap',
    );
    expect(maxRss).toBeLessThan(MAX_DAEMON_RSS);
    const tail = await api.tail({ job_id: job.job_id, lines: 3 });
    expect(tail.stdout).toBe('y\ny\ny\n');
    const page = await api.output({ job_id: job.job_id, max_bytes: 1000 });
    // The first page starts at the first whole line kept.
    expect(page.stdout_read!.start).toBe(status.stdout.dropped + page.stdout_read!.skipped);
    expect(page.stdout.startsWith('y\n')).toBe(true);
    expect(page.stdout.length).toBeLessThanOrEqual(1000);
  });

  it('caps 1 GiB without a newline', async () => {
    const caller = { cwd: process.cwd(), env: h.env, reader: 'test' };
    const job = await api.execute(
      { command: "head -c 1073741824 /dev/zero | tr '\\0' a" },
      { caller },
    );
    const pid = (await daemonStatus(h.config())).pid!;
    const maxRss = await sampleRss(
      pid,
      async () => (await api.status({ job_id: job.job_id })).status !== 'running',
    );
    const status = await api.status({ job_id: job.job_id });
    expect(status).toMatchObject({
      status: 'completed',
      stdout: { bytes: 1024 ** 3, dropped: 1024 ** 3 - CAP },
    });
    await until(
      () => onDisk(h.home, job.job_id, 'stdout') <= CAP + BLOCK,
      5000,
      'the logs to be within the cap',
    );
    expect(maxRss).toBeLessThan(MAX_DAEMON_RSS);
    const tail = await api.tail({ job_id: job.job_id, lines: 5 });
    expect(tail.truncated).toBe(true);
    expect(tail.stdout).toMatch(/^a+$/);
    expect(tail.stdout.length).toBeLessThanOrEqual(1024 * 1024);
    const found = await api.search({ job_id: job.job_id, pattern: 'b' });
    expect(found.matches).toEqual([]);
  });
});
