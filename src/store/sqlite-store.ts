import Database from 'better-sqlite3';
import { z } from 'zod';

import { isBusy, takeExclusiveLock } from '../daemon/home-lock.js';
import { BgError, ErrorCode, isBgError } from '../api/errors.js';
import { LIVE_STATUSES, type JobStatus } from '../api/job.js';
import { jobRecordSchema, type JobRecord } from '../engine/model.js';
import { triggerSchema, type Trigger } from '../api/listing.js';
import { writeOrMakeRoom } from './full-disk.js';
import { ENV_LEAVES_DATABASE, keepLiveEnvs, scrubFreedPages } from './env-migration.js';
import { MIGRATIONS } from './migrations.js';
import {
  type JobStore,
  type ListedJob,
  type ListFilter,
  type QueuedJob,
  type RecordPatch,
  type StatusPatch,
} from './store.js';
import {
  type Row,
  COLUMNS,
  toColumn,
  convert,
  fromRow,
  LISTED_COLUMNS,
  listedFromValues,
} from './columns.js';

const QUEUED_FIELDS = ['id', 'kind', 'after'] as const satisfies readonly (keyof JobRecord)[];
const queuedJobSchema = jobRecordSchema.pick({ id: true, kind: true, after: true });

const RECENT_JOBS = 500;

const cursorRowSchema = z.object({ offset: z.number() });
const idRowSchema = z.object({ id: z.string() });
const countRowSchema = z.object({ n: z.number() });

/**
 * The SQLite store: WAL, an explicit busy timeout, versioned migrations. The daemon opens it
 * in exclusive locking mode, which doubles as the "one daemon per BGJOBS_HOME" lock: the OS
 * releases it when the process dies, however it dies.
 */
export class SqliteStore implements JobStore {
  private readonly db: Database.Database;
  // Preparing a statement costs more than running it: each SQL text is prepared once.
  private readonly statements = new Map<string, Database.Statement>();
  // The daemon is the store's one writer, so a record stays true until it writes it: recently
  // used records are kept parsed (rows with a whole environment are costly to parse).
  private readonly recent = new Map<string, JobRecord>();
  private readonly makeRoom: () => boolean;

  private constructor(db: Database.Database, makeRoom: () => boolean) {
    this.db = db;
    this.makeRoom = makeRoom;
  }

  /** Runs a write; on a full disk, once more after MAKE_ROOM (see writeOrMakeRoom). */
  private run(sql: string, ...params: unknown[]): void {
    writeOrMakeRoom(() => this.prepare(sql).run(...params), this.makeRoom, this.db.name);
  }

  /** The same connection, for stores of other tables in this file (agents). */
  get database(): Database.Database {
    return this.db;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** MAKE_ROOM frees space when a write finds the disk full; true when it freed some. */
  static open(
    path: string,
    options: { exclusive?: boolean; makeRoom?: () => boolean } = {},
  ): SqliteStore {
    const db = new Database(path, { timeout: 5000 });
    try {
      if (options.exclusive) {
        // A lock held for a moment (a checkpoint, another program's short write) is waited
        // out; a lock held longer is another daemon's or a program's (see lockOwner).
        takeExclusiveLock(db);
        db.pragma('busy_timeout = 5000');
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (error) {
      db.close();
      if (isBusy(error)) {
        throw new BgError(
          ErrorCode.daemonUnavailable,
          `The database ${path} is locked by another process: a bgjobs daemon (use it, or stop it with bgjobs daemon stop) or a program holding a transaction on it.`,
          { cause: error, data: { locked: path } },
        );
      }
      throw error;
    }
    return new SqliteStore(db, options.makeRoom ?? (() => false));
  }

  insert(job: JobRecord): void {
    const fields = Object.keys(COLUMNS) as (keyof JobRecord)[];
    const columns = fields.map((f) => COLUMNS[f]).join(', ');
    const params = fields.map((f) => `@${f}`).join(', ');
    const values = Object.fromEntries(fields.map((f) => [f, toColumn(f, job[f])]));
    this.run(`INSERT INTO jobs (${columns}) VALUES (${params})`, values);
    this.remember({ ...job });
  }

  update(id: string, patch: RecordPatch): void {
    this.write(id, patch);
  }

  writeStatus(id: string, patch: StatusPatch): void {
    this.write(id, patch);
  }

  private write(id: string, patch: Partial<Omit<JobRecord, 'id'>>): void {
    const fields = Object.keys(patch) as (keyof JobRecord)[];
    if (fields.length === 0) return;
    const sets = fields.map((f) => `${COLUMNS[f]} = @${f}`).join(', ');
    const values = Object.fromEntries(
      fields.map((f) => [f, toColumn(f, patch[f as keyof typeof patch])]),
    );
    this.run(`UPDATE jobs SET ${sets} WHERE id = @id`, { ...values, id });
    const cached = this.recent.get(id);
    if (cached) this.remember({ ...cached, ...patch, id });
  }

  get(id: string): JobRecord | undefined {
    const cached = this.recent.get(id);
    if (cached) return { ...cached };
    const row = this.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const job = fromRow(row);
    this.remember(job);
    return { ...job };
  }

  /** Keeps a record parsed; the oldest goes past RECENT_JOBS. */
  private remember(job: JobRecord): void {
    this.recent.delete(job.id);
    this.recent.set(job.id, job);
    if (this.recent.size > RECENT_JOBS) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }

  findByName(name: string): JobRecord | undefined {
    const live = LIVE_STATUSES.map(() => '?').join(', ');
    const row = this.prepare(
      `SELECT * FROM jobs WHERE name = ?
         ORDER BY (status IN (${live})) DESC, created_at DESC LIMIT 1`,
    ).get(name, ...LIVE_STATUSES) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(filter: ListFilter): { jobs: ListedJob[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.statuses && filter.statuses.length > 0) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    if (filter.name !== undefined) {
      where.push('name = ?');
      params.push(filter.name);
    }
    if (filter.project !== undefined) {
      where.push('project = ?');
      params.push(filter.project);
    }
    if (filter.agent !== undefined) {
      where.push('id IN (SELECT job_id FROM agent_runs WHERE agent = ?)');
      params.push(filter.agent);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.prepare(
      `SELECT ${LISTED_COLUMNS} FROM jobs ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    )
      .raw(true)
      .all(...params, filter.limit) as unknown[][];
    const total = countRowSchema.parse(
      this.prepare(`SELECT count(*) AS n FROM jobs ${clause}`).get(...params),
    ).n;
    return { jobs: rows.map(listedFromValues), total };
  }

  withStatus(statuses: readonly JobStatus[]): JobRecord[] {
    const marks = statuses.map(() => '?').join(', ');
    const rows = this.prepare(
      `SELECT * FROM jobs WHERE status IN (${marks}) ORDER BY created_at, rowid`,
    ).all(...statuses) as Row[];
    return rows.map(fromRow);
  }

  queued(now: number, limit: number): QueuedJob[] {
    // The queue looks at this on every start and every end: no environments to parse here.
    const rows = this.prepare(
      `SELECT id, kind, after FROM jobs WHERE status = 'queued' AND (retry_at IS NULL OR retry_at <= ?)
         ORDER BY priority DESC, created_at, rowid LIMIT ?`,
    ).all(now, limit) as Row[];
    return rows.map((row) => queuedJobSchema.parse(convert(row, QUEUED_FIELDS)));
  }

  countByStatus(status: JobStatus): number {
    return countRowSchema.parse(
      this.prepare('SELECT count(*) AS n FROM jobs WHERE status = ?').get(status),
    ).n;
  }

  finishedBefore(endedBefore: number, limit: number): string[] {
    const rows = this.prepare(
      `SELECT id FROM jobs WHERE ended_at IS NOT NULL AND ended_at < ?
         ORDER BY ended_at LIMIT ?`,
    ).all(endedBefore, limit);
    return rows.map((row) => idRowSchema.parse(row).id);
  }

  finishedWithLogs(): string[] {
    const rows = this.prepare(
      `SELECT id FROM jobs WHERE ended_at IS NOT NULL AND logs_evicted = 0 ORDER BY ended_at`,
    ).all();
    return rows.map((row) => idRowSchema.parse(row).id);
  }

  delete(id: string): void {
    this.run('DELETE FROM jobs WHERE id = ?', id);
    this.recent.delete(id);
  }

  agentRunOf(jobId: string): { agent: string; trigger: Trigger } | undefined {
    const row = this.prepare('SELECT agent, trigger FROM agent_runs WHERE job_id = ?').get(jobId);
    if (row === undefined) return undefined;
    const { agent, trigger } = z.object({ agent: z.string(), trigger: z.string() }).parse(row);
    return { agent, trigger: triggerSchema.parse(JSON.parse(trigger)) };
  }

  getCursor(jobId: string, reader: string, stream: string): number | undefined {
    const row = this.prepare(
      'SELECT offset FROM cursors WHERE job_id = ? AND reader = ? AND stream = ?',
    ).get(jobId, reader, stream);
    return row === undefined ? undefined : cursorRowSchema.parse(row).offset;
  }

  setCursor(jobId: string, reader: string, stream: string, offset: number): void {
    try {
      this.run(
        `INSERT INTO cursors (job_id, reader, stream, offset) VALUES (?, ?, ?, ?)
           ON CONFLICT (job_id, reader, stream) DO UPDATE SET offset = excluded.offset`,
        jobId,
        reader,
        stream,
        offset,
      );
    } catch (error) {
      // A read goes on when the disk is full; the next one repeats what this one returned.
      if (!isBgError(error) || error.data?.disk_full !== true) throw error;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  MIGRATIONS.slice(version).forEach((sql, index) => {
    const to = version + index + 1;
    db.transaction(() => {
      if (to === ENV_LEAVES_DATABASE) keepLiveEnvs(db);
      db.exec(sql);
      db.pragma(`user_version = ${to}`);
    })();
  });
  // A database that held environments: none of their bytes may stay in the file or its WAL.
  if (version > 0 && version < ENV_LEAVES_DATABASE) scrubFreedPages(db);
}
