// Proves: a database written before owners were typed (a session job's owner kept as the
// string "mcp:<pid>:<start>") opens with that owner as {pid, start}, other jobs keep none, and
// the old column is gone.
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';

import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { makeHome, type TestHome } from '../helpers/home.js';

let home: TestHome | undefined;
afterEach(async () => {
  await home?.cleanup();
  home = undefined;
});

it('reads an "mcp:<pid>:<start>" session as a typed owner after the migration', () => {
  home = makeHome();
  const path = join(home.home, 'bgjobs.db');
  const old = new Database(path);
  // The schema as it was before owners were typed: every migration up to that one.
  const before = MIGRATIONS.findIndex((sql) => sql.includes('ADD COLUMN owner'));
  expect(before).toBeGreaterThan(0);
  for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
  old.pragma(`user_version = ${before}`);
  const insert = old.prepare(
    `INSERT INTO jobs (id, kind, command, cwd, env, env_overrides, status, created_at,
       max_output_bytes, stdin_closed, stdout_bytes, stderr_bytes, logs_evicted, lifetime, session_id)
     VALUES (?, 'shell', 'sleep 1', '/', '{}', '{}', 'completed', 1, 1024, 0, 0, 0, 0, ?, ?)`,
  );
  insert.run('aaaaaaaa', 'session', 'mcp:4242:1234567');
  insert.run('bbbbbbbb', 'persistent', null);
  old.close();

  const store = SqliteStore.open(path, { exclusive: true });
  try {
    expect(store.get('aaaaaaaa')?.owner).toEqual({ pid: 4242, start: 1234567 });
    expect(store.get('bbbbbbbb')?.owner).toBeNull();
  } finally {
    store.close();
  }
  const after = new Database(path, { readonly: true });
  const columns = (after.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map(
    (c) => c.name,
  );
  after.close();
  expect(columns).toContain('owner');
  expect(columns).not.toContain('session_id');
});
