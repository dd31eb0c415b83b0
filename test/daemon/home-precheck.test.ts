// Proves: the client's damage check of a home's database (before it starts a daemon) passes a
// sound database in WAL mode without making any file beside it, names one with broken pages as
// corrupt, and leaves to the daemon what it cannot judge by itself: a WAL with changes not yet
// checkpointed, a database larger than it reads.
import { closeSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { CHECKED_DATABASE_MAX_BYTES, damagedDatabase } from '../../src/daemon/home-precheck.js';
import { makeHome, type TestHome } from '../helpers/home.js';

let home: TestHome;
let database: string;
beforeEach(() => {
  home = makeHome();
  database = join(home.home, 'bgjobs.db');
});
afterEach(() => home.cleanup());

/** A WAL database of ROWS rows of about 200 bytes, closed (so its WAL is checkpointed away). */
function writeDatabase(rows: number): void {
  const db = new Database(database);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX tv ON t (v)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`${i} ${'v'.repeat(200)}`);
  })();
  db.close();
}

function damagePages(): void {
  const page = 4096;
  const pages = statSync(database).size / page;
  const fd = openSync(database, 'r+');
  writeSync(fd, Buffer.alloc(page * (pages - 2), 0xa5), 0, page * (pages - 2), page);
  closeSync(fd);
}

it('passes a sound database, and makes no file beside it', async () => {
  writeDatabase(2000);
  const before = readdirSync(home.home).sort();
  expect(await damagedDatabase(home.home)).toBeUndefined();
  expect(readdirSync(home.home).sort()).toEqual(before);
});

it('names a database with broken pages as corrupt, and the fix', async () => {
  writeDatabase(2000);
  damagePages();
  const error = await damagedDatabase(home.home);
  expect(error?.message).toMatch(/bgjobs\.db is corrupt/);
  expect(error?.message).toMatch(/bgjobs\.db\.corrupt/);
});

it('leaves to the daemon a database with changes still in its WAL', async () => {
  writeDatabase(2000);
  damagePages();
  // What a killed daemon leaves: a WAL the next daemon recovers (its content is not read here).
  writeFileSync(`${database}-wal`, Buffer.alloc(4096, 1));
  expect(await damagedDatabase(home.home)).toBeUndefined();
});

it('leaves to the daemon a database larger than it reads', async () => {
  writeDatabase(Math.ceil(CHECKED_DATABASE_MAX_BYTES / 200));
  expect(statSync(database).size).toBeGreaterThan(CHECKED_DATABASE_MAX_BYTES);
  damagePages();
  expect(await damagedDatabase(home.home)).toBeUndefined();
});
