// Proves: SpareFolders makes a job's folder private, with empty private stdout and stderr and
// the exit record's space reserved when a spare was ready; spares are made ahead and made again
// after each use; a burst beyond the spares still gets folders; a folder that already holds
// files keeps them; spares a dead daemon left are removed at start, and close removes its own.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SpareFolders } from '../../src/job-folder/spares.js';

let root: string;
let folders: SpareFolders | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bgjobs-folders-'));
});

afterEach(async () => {
  await folders?.close();
  folders = undefined;
  rmSync(root, { recursive: true, force: true });
});

const spareRoot = (): string => join(root, '.spare');
const spares = (): string[] => (existsSync(spareRoot()) ? readdirSync(spareRoot()) : []);

describe('SpareFolders', () => {
  it('makes spares ahead, renames one into place, and makes another', async () => {
    folders = new SpareFolders(root, 2);
    await expect.poll(() => folders?.ready).toBe(2);
    expect(spares()).toHaveLength(2);

    const dir = folders.make(join(root, 'aaaaaaaa'));
    expect(dir).toBe(join(root, 'aaaaaaaa'));
    expect(readdirSync(dir).sort()).toEqual(['exit.tmp', 'stderr', 'stdout']);
    expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe('');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'stdout')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'stderr')).mode & 0o777).toBe(0o600);
    // The one used is made again in the background.
    expect(folders.ready).toBe(1);
    await expect.poll(() => folders?.ready).toBe(2);
    expect(spares()).toHaveLength(2);
  });

  it('still makes folders in a burst beyond its spares', () => {
    folders = new SpareFolders(root, 1);
    for (let i = 0; i < 5; i++) {
      const dir = folders.make(join(root, `job0000${i}`));
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('keeps what a folder that already exists holds', async () => {
    folders = new SpareFolders(root, 1);
    await expect.poll(() => folders?.ready).toBe(1);
    const dir = join(root, 'bbbbbbbb');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stdout'), 'earlier output\n');
    folders.make(dir);
    expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe('earlier output\n');
  });

  it('removes spares left by an earlier daemon, and its own on close', async () => {
    mkdirSync(join(root, '.spare', 'leftover'), { recursive: true });
    writeFileSync(join(root, '.spare', 'leftover', 'stdout'), 'stale');
    folders = new SpareFolders(root, 2);
    expect(spares()).not.toContain('leftover');
    await expect.poll(() => folders?.ready).toBe(2);
    await folders.close();
    expect(spares()).toEqual([]);
  });
});
