// Proves: a home that cannot be used is told by the client, naming the cause and the fix, before
// it starts a daemon — a database damaged inside (a valid header, broken pages), a new job on a
// full disk; a daemon run directly on the damaged database names it too (no "internal error");
// and a daemon started on a full disk after a clean stop (no pid file can be written) comes up
// and answers reads.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cli, makeHome, runJob, teardown } from '../cli/cli-harness.js';
import { killProcessesOf } from '../helpers/home.js';
import { fillUp } from '../helpers/fill-disk.js';
import { expectExplained } from './explained.js';

const PAGE = 4096;

let home: string;
let mounted: string | undefined;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  try {
    if (mounted !== undefined) {
      await killProcessesOf(join(mounted, 'home'));
      execFileSync('umount', [mounted]);
    }
    mounted = undefined;
  } finally {
    await teardown(home);
  }
});

async function daemonRunning(at: string): Promise<boolean> {
  const status = await cli(at, ['daemon', 'status', '--json']);
  return (JSON.parse(status.stdout) as { running: boolean }).running;
}

/** A database of a few jobs, the daemon stopped, then every page but the first and last overwritten. */
async function damageInside(at: string): Promise<void> {
  for (let i = 0; i < 3; i++) await runJob(at, [`echo job ${i}`]);
  expect((await cli(at, ['daemon', 'stop'])).code).toBe(0);
  const database = join(at, 'bgjobs.db');
  const pages = statSync(database).size / PAGE;
  expect(pages).toBeGreaterThan(3);
  const fd = openSync(database, 'r+');
  try {
    const garbage = Buffer.alloc(PAGE * (pages - 2), 0xa5);
    writeSync(fd, garbage, 0, garbage.length, PAGE);
  } finally {
    closeSync(fd);
  }
}

it('says a database damaged inside is corrupt, and how to start afresh, without a daemon', async () => {
  await damageInside(home);
  const log = statSync(join(home, 'daemon.log')).size;
  const result = await cli(home, ['ls']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/bgjobs\.db is corrupt/);
  expect(result.stderr).toMatch(/mv \S+bgjobs\.db \S+bgjobs\.db\.corrupt/);
  // Told by the client: no daemon was started to find it (it would have written its log).
  expect(statSync(join(home, 'daemon.log')).size).toBe(log);
  expect(await daemonRunning(home)).toBe(false);
});

it('a daemon run directly on a database damaged inside says it is corrupt', async () => {
  await damageInside(home);
  const result = await cli(home, ['daemon', 'run'], { timeoutMs: 60_000 });
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/bgjobs\.db is corrupt/);
  expect(result.stderr).toMatch(/bgjobs\.db\.corrupt/);
});

const canMount = ((): boolean => {
  const probe = mkdtempSync(join(tmpdir(), 'bgj-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

describe.skipIf(!canMount)('a full disk at start (a tmpfs; needs root)', () => {
  it('refuses a new job at once, without a daemon, and a daemon started for reads answers', async () => {
    const disk = join(home, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', disk]);
    mounted = disk;
    const at = join(disk, 'home');
    mkdirSync(at, { mode: 0o700 });
    const job = await runJob(at, ['echo before']);
    // A clean stop removes the pid file: a daemon started next must write a new one.
    expect((await cli(at, ['daemon', 'stop'])).code).toBe(0);
    fillUp(join(disk, 'ballast'));
    const stats = statfsSync(disk);
    expect(stats.bavail * stats.bsize).toBe(0);

    const refused = await cli(at, ['run', 'echo hi']);
    expect(refused.code).toBe(1);
    expectExplained(refused.stderr);
    expect(refused.stderr).toMatch(
      /disk holding \S+ is full: 0 B free, a new job needs 512\.0 KiB/,
    );
    expect(refused.stderr).toMatch(/Free space there/);
    expect(await daemonRunning(at)).toBe(false);

    const listed = await cli(at, ['ls', '--all']);
    expect(listed.stderr).not.toMatch(/full/);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(job);
    expect(await daemonRunning(at)).toBe(true);
    // With the daemon running, the same refusal.
    const again = await cli(at, ['run', 'echo hi']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is full: 0 B free/);

    rmSync(join(disk, 'ballast'));
    await teardown(at);
  });
});
