// How a job record maps to the jobs table's columns: names, JSON and boolean conversions, and
// the rows a listing reads.

import { jobRecordSchema, type JobRecord } from '../engine/model.js';
import { LISTED_JOB_FIELDS, type ListedField, type ListedJob } from './store.js';
export type Row = Record<string, unknown>;

// Column ↔ field mapping; booleans and JSON are converted at this one boundary.
export const COLUMNS = {
  id: 'id',
  name: 'name',
  kind: 'kind',
  command: 'command',
  cwd: 'cwd',
  envOverrides: 'env_overrides',
  status: 'status',
  createdAt: 'created_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  pid: 'pid',
  pidStart: 'pid_start',
  monitorPid: 'monitor_pid',
  monitorStart: 'monitor_start',
  exitCode: 'exit_code',
  signal: 'signal',
  reason: 'reason',
  stopRequest: 'stop_request',
  stopDeadline: 'stop_deadline',
  timeoutS: 'timeout_s',
  maxOutputBytes: 'max_output_bytes',
  stdinClosed: 'stdin_closed',
  stdoutBytes: 'stdout_bytes',
  stderrBytes: 'stderr_bytes',
  logsEvicted: 'logs_evicted',
  ready: 'ready',
  readyState: 'ready_state',
  readyAt: 'ready_at',
  readyMatch: 'ready_match',
  restart: 'restart',
  runs: 'runs',
  unstableRestarts: 'unstable_restarts',
  restartDelayMs: 'restart_delay_ms',
  runStartedAt: 'run_started_at',
  nextRestartAt: 'next_restart_at',
  lastExitCode: 'last_exit_code',
  lastSignal: 'last_signal',
  port: 'port',
  pty: 'pty',
  lifetime: 'lifetime',
  owner: 'owner',
  project: 'project',
  priority: 'priority',
  after: 'after',
  retries: 'retries',
  attempt: 'attempt',
  retryAt: 'retry_at',
  llm: 'llm',
  llmResult: 'llm_result',
  remote: 'remote',
} as const satisfies Record<keyof JobRecord, string>;

export const JSON_FIELDS = new Set<keyof JobRecord>([
  'envOverrides',
  'ready',
  'restart',
  'pty',
  'after',
  'llm',
  'llmResult',
  'owner',
  'remote',
]);
export const BOOLEAN_FIELDS = new Set<keyof JobRecord>(['stdinClosed', 'logsEvicted']);

export function toColumn(field: keyof JobRecord, value: unknown): unknown {
  if (JSON_FIELDS.has(field)) return JSON.stringify(value);
  if (BOOLEAN_FIELDS.has(field)) return value ? 1 : 0;
  return value;
}

export function convert(row: Row, fields: readonly (keyof JobRecord)[]): Row {
  const record: Row = {};
  for (const field of fields) {
    const value = row[COLUMNS[field]];
    if (JSON_FIELDS.has(field)) record[field] = JSON.parse(String(value));
    else if (BOOLEAN_FIELDS.has(field)) record[field] = value === 1;
    else record[field] = value;
  }
  return record;
}

export const ALL_FIELDS = Object.keys(COLUMNS) as (keyof JobRecord)[];

export function fromRow(row: Row): JobRecord {
  return jobRecordSchema.parse(convert(row, ALL_FIELDS));
}

// A listing reads only what a list shows: not the environment (the bulk of a row), nor the
// JSON options that would each need parsing.
export const LISTED_FIELDS = LISTED_JOB_FIELDS;
export const LISTED_COLUMNS = LISTED_FIELDS.map((f) => COLUMNS[f]).join(', ');
export const listedJobSchema = jobRecordSchema.pick(
  Object.fromEntries(LISTED_FIELDS.map((f) => [f, true])) as { [K in ListedField]: true },
);

// Listings read rows as arrays, in LISTED_COLUMNS order: better-sqlite3 building an object
// per row costs more than the query for a listing of 1,000.
export function listedFromValues(values: unknown[]): ListedJob {
  const row: Row = {};
  LISTED_FIELDS.forEach((field, i) => (row[COLUMNS[field]] = values[i]));
  return listedJobSchema.parse(convert(row, LISTED_FIELDS));
}
