// Proves: newlinesIn counts the newlines of any bytes at any alignment exactly (against a plain
// count); a punch that would have to count more than MAX_COUNT_BYTES (a flood) leaves the lines
// uncounted, so search numbers them relative to the window rather than wrongly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { expect, it } from 'vitest';

import { punchDropped } from '../../src/logs/cap.js';
import { MAX_COUNT_BYTES, newlinesIn, readLineCount } from '../../src/logs/line-count.js';
import { searchStream } from '../../src/logs/reader.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();

it('counts newlines exactly at any alignment', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.nat(7),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (raw, skip, share) => {
        // Newlines made common, so words with several of them are tried.
        const bytes = Buffer.from(raw.map((b) => (b / 256 < share ? 0x0a : b)));
        const view = bytes.subarray(Math.min(skip, bytes.length));
        const plain = [...view].filter((b) => b === 0x0a).length;
        expect(newlinesIn(view)).toBe(plain);
      },
    ),
  );
});

it('leaves a flood uncounted and says its numbering is relative', async () => {
  const path = join(dir(), 'stdout');
  const line = 'y\n';
  writeFileSync(path, line.repeat((MAX_COUNT_BYTES + 1024 * 1024) / line.length));
  await punchDropped(path, 64 * 1024, 0, { onError: (e) => expect.fail(e.message) });
  expect(readLineCount(path).lines).toBeNull();
  const found = await searchStream(path, 64 * 1024, '^y$', {
    context: 0,
    maxMatches: 1,
    stream: 'stdout',
  });
  expect(found).toMatchObject({ lineNumbers: 'relative', matches: [{ line: 1 }] });
});
