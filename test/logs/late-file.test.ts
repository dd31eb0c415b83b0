// Proves: a LateFile makes its folder and opens its file in the background; what is written
// before that is kept in order ahead of what comes after; the folder and file are private;
// appending keeps what the file held; a folder that cannot be made is reported by close, and
// nothing is left open or written.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { LateFile } from '../../src/logs/late-file.js';
import { useTempDir } from './temp-dir.js';

const dir = useTempDir();

describe('LateFile', () => {
  it('keeps what is written before the file opens, in order, ahead of what comes after', async () => {
    const path = join(dir(), 'job', 'stdout');
    const file = new LateFile(path);
    // Nothing can have opened yet: the folder is made on the thread pool.
    expect(existsSync(path)).toBe(false);
    file.write('Hello');
    file.write(', ');
    // Once it opens, the held text is written without waiting for close.
    await expect.poll(() => existsSync(path) && readFileSync(path, 'utf8')).toBe('Hello, ');
    file.write('world\n');
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('Hello, world\n');
    expect(statSync(join(dir(), 'job')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('writes what is held when closed before it opened', async () => {
    const path = join(dir(), 'a', 'b', 'stdout');
    const file = new LateFile(path);
    file.write('one ');
    file.write('two');
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('one two');
  });

  it('appends to a file that already holds text', async () => {
    const path = join(dir(), 'stdout');
    writeFileSync(path, 'attempt 1\n');
    const file = new LateFile(path);
    file.write('attempt 2\n');
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('attempt 1\nattempt 2\n');
  });

  it('reports a folder that cannot be made when closed, and refuses writes after', async () => {
    const blocker = join(dir(), 'not-a-folder');
    writeFileSync(blocker, '');
    const file = new LateFile(join(blocker, 'stdout'));
    file.write('lost');
    await expect(file.close()).rejects.toMatchObject({ code: 'EEXIST' });
    expect(() => file.write('more')).toThrow(/after close/);
    // A second close has nothing more to say.
    await expect(file.close()).resolves.toBeUndefined();
  });
});
