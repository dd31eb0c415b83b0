// Proves, through a real MCP client, on a job whose oldest output the cap dropped (and punched
// out of the file): search says how many bytes were dropped, that it did not cover the whole
// output, and numbers lines from the job's first line; output pages end at a newline, and the
// first page after the dropped prefix starts at a line start and says how many bytes it skipped.
import { afterEach, beforeEach, expect, it } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { outputOutputSchema, searchOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { diskUsage } from '../../src/logs/cap.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness } from './harness.js';

const CAP = 100_000;
// `seq 1 200000` writes 1,288,895 bytes; the kept window starts 2 bytes into a line.
const SIZE = 1_288_895;

let h: Harness;
beforeEach(async () => {
  h = await openHarness('legacy', { settings: { BGJOBS_MAX_OUTPUT: String(CAP) } });
});
afterEach(async () => {
  await h.close();
});

async function flooded(): Promise<string> {
  const started = await h.ok('execute', { command: 'seq 1 200000' }, executeOutputSchema);
  const id = started.data.job_id;
  await h.ok('wait', { job_id: id, timeout_s: 50 }, waitOutputSchema);
  const { stdout } = h.engine.folders.paths(id);
  // The last punch after the end frees the dropped prefix: its lines are on disk no more.
  await until(() => diskUsage(stdout) < 4 * CAP, 30_000, 'the dropped output to be punched out');
  return id;
}

it("search reports the dropped output and numbers lines from the job's first line", async () => {
  const id = await flooded();
  const { data, text } = await h.ok(
    'search',
    { job_id: id, pattern: '^1(5|9)0000$', context: 1 },
    searchOutputSchema,
  );
  expect(data).toMatchObject({
    dropped_bytes: SIZE - CAP,
    whole_output: false,
    line_numbers: 'absolute',
  });
  expect(data.matches.map((m) => [m.line, m.text, m.before, m.after])).toEqual([
    [190000, '190000', ['189999'], ['190001']],
  ]);
  expect(text).toContain('dropped by the cap and not searched');
  expect(text).toContain("line numbers count from the job's first line");
  expect(text).toContain('stdout:190000: 190000');
});

it('output pages whole lines, the first one starting at a line after the dropped part', async () => {
  const id = await flooded();
  const first = await h.ok('output', { job_id: id, max_bytes: 1000 }, outputOutputSchema);
  const read = first.data.stdout_read;
  expect(read).toMatchObject({ dropped: SIZE - CAP, start: SIZE - CAP + 5, skipped: 5 });
  expect(first.text).toContain('then 5 bytes skipped to start at a line');
  let text = first.data.stdout;
  let offset = read?.next_offset;
  for (let more = first.data.more; more;) {
    expect(text.endsWith('\n')).toBe(true);
    const page = await h.ok(
      'output',
      { job_id: id, stdout_offset: offset, stream: 'stdout', max_bytes: 1000 },
      outputOutputSchema,
    );
    expect(page.data.stdout.endsWith('\n')).toBe(true);
    text += page.data.stdout;
    offset = page.data.stdout_read?.next_offset;
    more = page.data.more;
  }
  // Whole lines, in order, from the first whole kept line to the last.
  const numbers = text.trimEnd().split('\n').map(Number);
  const firstKept = numbers[0] ?? 0;
  expect(numbers).toEqual(Array.from({ length: 200000 - firstKept + 1 }, (_, i) => firstKept + i));
});
