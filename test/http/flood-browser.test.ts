// Proves, with the built CLI, a real daemon (`bgjobs serve --http`) and real Chromium: a job
// writing 1 GiB of lines as fast as it can while its dashboard page is open leaves the page
// responsive all through (a script answers, a click takes effect), the page's scrollback
// bounded (at most MAX_LINES lines and MAX_CHARS characters), and the daemon's resident
// memory bounded (it never grows by more than FLOOD_RSS_MB over its size before the flood).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';

import { cli, makeHome, runJob, spawnCli, teardown, until } from '../cli/cli-harness.js';
import { MAX_CHARS, MAX_LINES } from '../../web/ansi.js';
import { launchChromium } from './browser.js';
import { freePort } from '../helpers/free-port.js';

const GIB = 1024 ** 3;
const BURST = 32 * 1024 * 1024;
/** The page is tried at least this many times while the job floods it. */
const ROUNDS = 4;
/** How much the daemon may grow while the job floods its page (RSS, in MB). */
const FLOOD_RSS_MB = 100;
/** The most text the page's output may hold: the scrollback's, and its lines' newlines. */
const MAX_PAGE_CHARS = MAX_CHARS + MAX_LINES;
/** How long the page may take to answer a script or a click during the flood. */
const ANSWER_MS = 15_000;

let home: string | undefined;
afterEach(async () => {
  if (home !== undefined) await teardown(home);
  home = undefined;
});

async function stdoutBytes(folder: string, id: string): Promise<number> {
  const status = await cli(folder, ['status', id, '--json']);
  return (JSON.parse(status.stdout) as { stdout: { bytes: number } }).stdout.bytes;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024;
}

/** Resolves with the answer, or rejects when the page takes longer than ANSWER_MS. */
function answered<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(
        () => reject(new Error(`the page did not ${what} within ${ANSWER_MS} ms`)),
        ANSWER_MS,
      ),
    ),
  ]);
}

/** What the test reads of the output's element (the DOM's types are not the test's). */
interface PreElement {
  childElementCount: number;
  textContent: string | null;
}

async function outputShape(page: Page): Promise<{ lines: number; chars: number }> {
  return page.getByTestId('output').evaluate((pre: PreElement) => ({
    lines: pre.childElementCount,
    chars: pre.textContent?.length ?? 0,
  }));
}

describe('a job writing 1 GiB while its page is open', () => {
  it('keeps the page responsive, its scrollback and the daemon memory bounded', async () => {
    home = makeHome();
    const port = await freePort();
    const serve = spawnCli(home, ['serve', '--http', '--port', String(port)]);
    await until(() => serve.seen.stderr.includes('serving HTTP'), 'the HTTP server');
    const daemon = serve.child.pid!;
    const link = (await cli(home, ['dashboard', '--no-open'])).stdout.trim();
    const stop = join(home, 'stop-flood');
    const line = 'flood line: the quick brown fox jumps over the lazy dog 0123456789 abcdefghij';
    const id = await runJob(home, [
      '--',
      'sh',
      '-c',
      // Bursts of 32 MiB, each as fast as `yes` writes, until the test has tried the page enough
      // times and the job has written at least 1 GiB: the flood lasts as long as the test needs.
      `read go; until [ -e '${stop}' ]; do yes '${line}' | head -c ${BURST}; sleep 0.2; done; echo flood-done`,
    ]);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.goto(link.replace(/\/login\?.*$/, `/jobs/${id}`));
      await page.getByTestId('status').filter({ hasText: 'running' }).waitFor();
      const before = rssMb(daemon);
      let peak = before;
      let rounds = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(daemon))), 50);
      try {
        await cli(home, ['send', id, 'go']);
        const pause = page.getByRole('button', { name: /^(Pause|Resume)$/ });
        for (;;) {
          // While the flood runs: a script answers, a click takes effect, the scrollback holds.
          expect(
            await answered(
              page.evaluate(() => 6 * 7),
              'answer a script',
            ),
          ).toBe(42);
          const label = await pause.textContent();
          await answered(pause.click(), 'take a click');
          await answered(
            page.getByRole('button', { name: label === 'Pause' ? 'Resume' : 'Pause' }).waitFor(),
            'show the click',
          );
          const shape = await answered(outputShape(page), 'measure its output');
          expect(shape.lines).toBeLessThanOrEqual(MAX_LINES);
          expect(shape.chars).toBeLessThan(MAX_PAGE_CHARS);
          rounds++;
          expect(await page.getByTestId('status').textContent()).toBe('running');
          if (rounds >= ROUNDS && (await stdoutBytes(home, id)) >= GIB) break;
        }
        writeFileSync(stop, '');
        if ((await pause.textContent()) === 'Resume') await pause.click();
        await page.getByTestId('status').filter({ hasText: 'completed' }).waitFor();
        await expect
          .poll(() => page.getByTestId('output').textContent(), { timeout: 30_000 })
          .toContain('flood-done');
        expect((await outputShape(page)).lines).toBeLessThanOrEqual(MAX_LINES);
      } finally {
        clearInterval(sampler);
      }
      expect(await stdoutBytes(home, id)).toBeGreaterThanOrEqual(GIB);
      console.error(
        `flood: ${rounds} rounds; daemon RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak`,
      );
      expect(peak - before).toBeLessThan(FLOOD_RSS_MB);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
