// Proves: when the daemon cannot start, the CLI says why and what to do, from the daemon's own
// report rather than after its 15 s start timeout, and never as an "internal error": a home on a
// read-only file system (fresh, or with a database already in it), a database another program
// holds locked (named by pid, not taken for another daemon) while one held for moments is waited
// out, and a corrupt database file (one that is no SQLite file told by the client, without a
// daemon); a home to be made on a read-only file system; and a
// home made read-only while the daemon runs refuses a new job saying so.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, teardown } from '../cli/cli-harness.js';
import { expectExplained } from './explained.js';

let home: string;
let mounted: string[] = [];
let locker: ChildProcess | undefined;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  locker?.kill('SIGKILL');
  locker = undefined;
  for (const path of mounted.reverse()) execFileSync('umount', [path]);
  mounted = [];
  await teardown(home);
});

it('says a fresh home is read-only, and what to do', async () => {
  const ro = join(home, 'ro');
  mkdirSync(ro);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  mounted.push(ro);
  const result = await cli(ro, ['ls']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/read-only/);
  expect(result.stderr).toContain('BGJOBS_HOME');
});

it('says a home to be made on a read-only file system is read-only', async () => {
  // Node's recursive mkdir reports EROFS there as ENOENT.
  const ro = join(home, 'ro');
  mkdirSync(ro);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  mounted.push(ro);
  const result = await cli(join(ro, 'state', 'bgjobs'), ['ls'], { cwd: ro });
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/read-only/);
  expect(result.stderr).toContain('BGJOBS_HOME');
});

it('says a home with a database is read-only, and what to do', async () => {
  expect((await cli(home, ['ls'])).code).toBe(0);
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
  execFileSync('mount', ['--bind', home, home]);
  mounted.push(home);
  execFileSync('mount', ['-o', 'remount,ro,bind', home]);
  const result = await cli(home, ['ls']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/read-only/);
  expect(result.stderr).toContain('BGJOBS_HOME');
});

it('refuses a new job in a home made read-only under a running daemon, saying why', async () => {
  expect((await cli(home, ['ls'])).code).toBe(0);
  execFileSync('mount', ['--bind', home, home]);
  mounted.push(home);
  execFileSync('mount', ['-o', 'remount,ro,bind', home]);
  const result = await cli(home, ['run', 'echo', 'hi']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/read-only/);
  // Reads still work.
  expect((await cli(home, ['ls'])).code).toBe(0);
});

it('names the program that holds the database locked, and does not wait for a daemon', async () => {
  expect((await cli(home, ['ls'])).code).toBe(0);
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`;
  locker = spawn(process.execPath, ['-e', script, join(home, 'bgjobs.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => locker!.stdout!.once('data', () => resolve()));

  const result = await cli(home, ['ls']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/locked/);
  expect(result.stderr).toContain(`pid ${locker.pid}`);
});

it('waits out a lock held for moments (a busy writer), and starts', async () => {
  expect((await cli(home, ['ls'])).code).toBe(0);
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
  // Short write transactions back to back, each on its own connection (an idle connection
  // that has read keeps a shared lock in WAL mode: that is a held lock), the lock free 5 ms
  // between them, until a daemon takes the home (then this writer is refused, and stops).
  const script = `const D = require('better-sqlite3');
    const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (let n = 0; ; n++) {
      const db = new D(process.argv[1], { timeout: 0 });
      try { db.exec('BEGIN EXCLUSIVE'); } catch { console.log('done ' + n); process.exit(0); }
      if (n === 0) console.log('locked');
      const until = Date.now() + 40; while (Date.now() < until);
      db.exec('COMMIT'); db.close(); pause(5);
    }`;
  locker = spawn(process.execPath, ['-e', script, join(home, 'bgjobs.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => locker!.stdout!.once('data', () => resolve()));

  const result = await cli(home, ['ls']);
  expect(result.stderr).not.toMatch(/locked/);
  expect(result.code).toBe(0);
});

it('says the database is corrupt, and how to start afresh', async () => {
  writeFileSync(join(home, 'bgjobs.db'), 'this is not a database\n'.repeat(400));
  const result = await cli(home, ['ls']);
  expect(result.code).toBe(1);
  expectExplained(result.stderr);
  expect(result.stderr).toMatch(/corrupt|not a database/);
  expect(result.stderr).toMatch(/bgjobs\.db\.corrupt/);
  // Told by the client from the file's header: no daemon was started to find it.
  expect(existsSync(join(home, 'daemon.log'))).toBe(false);
});
