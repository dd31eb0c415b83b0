// Proves: migration 9 takes the caller's environment out of an existing database — no byte of
// a stored secret stays in bgjobs.db or its WAL; a live job's environment and a defined agent's
// are kept in their 0600 files (so a queued job still starts with it); the columns are gone.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

const columnsOf = (db: Database.Database, table: string): string[] =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

it('drops stored environments, keeping what live jobs and agents need in 0600 files', () => {
  home = makeHome();
  const path = join(home.home, 'bgjobs.db');
  const secret = `sk-${Math.random().toString(36).slice(2)}-migrated`;
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  // The schema as it was before: every migration up to the one that drops the environments.
  const before = MIGRATIONS.findIndex((sql) => sql.includes('DROP COLUMN env'));
  expect(before).toBeGreaterThan(0);
  for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
  old.pragma(`user_version = ${before}`);
  const insert = old.prepare(
    `INSERT INTO jobs (id, kind, command, cwd, env, env_overrides, status, created_at,
       max_output_bytes, stdin_closed, stdout_bytes, stderr_bytes, logs_evicted, lifetime)
     VALUES (?, 'shell', 'sleep 1', '/', ?, '{}', ?, 1, 1024, 0, 0, 0, 0, 'persistent')`,
  );
  const env = JSON.stringify({ PATH: '/usr/bin', API_TOKEN: secret });
  insert.run('queued01', env, 'queued');
  insert.run('ended001', env, 'completed');
  // A real shell's environment is a few kilobytes: many such rows fill many pages.
  const big = JSON.stringify({ PATH: '/usr/bin', API_TOKEN: secret, FILLER: 'x'.repeat(3000) });
  for (let i = 0; i < 200; i++) insert.run(`old${String(i).padStart(5, '0')}`, big, 'completed');
  old
    .prepare(
      `INSERT INTO agents (name, spec, caller_env, state, created_at, updated_at)
       VALUES ('nightly', '{}', ?, 'armed', 1, 1)`,
    )
    .run(env);
  old.close();
  mkdirSync(join(home.home, 'jobs', 'queued01'), { recursive: true });
  mkdirSync(join(home.home, 'jobs', 'ended001'), { recursive: true });

  SqliteStore.open(path, { exclusive: true }).close();

  const onDisk = readdirSync(home.home).filter((file) => file.startsWith('bgjobs.db'));
  for (const file of onDisk)
    expect(readFileSync(join(home.home, file)).includes(secret)).toBe(false);
  const kept = join(home.home, 'jobs', 'queued01', 'env');
  expect(JSON.parse(readFileSync(kept, 'utf8'))).toEqual({ PATH: '/usr/bin', API_TOKEN: secret });
  expect(statSync(kept).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(home.home, 'jobs', 'ended001'))).toEqual([]);
  const agent = join(home.home, 'agents', 'nightly.env');
  expect(readFileSync(agent, 'utf8')).toContain(secret);
  expect(statSync(agent).mode & 0o777).toBe(0o600);
  const after = new Database(path, { readonly: true });
  expect(columnsOf(after, 'jobs')).not.toContain('env');
  expect(columnsOf(after, 'jobs')).toContain('env_overrides');
  expect(columnsOf(after, 'agents')).not.toContain('caller_env');
  after.close();
});
