// Fills a disk to the last byte, for the tests (and the bench) of a full disk.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes PATH until the disk refuses another byte. */
export function fillUp(path: string): void {
  const fd = openSync(path, 'a');
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size));
      } catch {
        // full at this size: try a smaller one
      }
    }
  } finally {
    closeSync(fd);
  }
}
