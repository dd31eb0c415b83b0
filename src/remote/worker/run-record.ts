import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

import { runPayloadSchema } from '../wire.js';

/**
 * What a worker keeps on its own disk about each run it started, so that a worker restarted
 * after `kill -9` re-adopts the runs still going under their monitors: the payload, the
 * monitor's and the job's pids with their start times, and whether the end was reported.
 * Written atomically (temp file, then rename).
 */
export const runRecordSchema = z.object({
  payload: runPayloadSchema,
  dir: z.string(),
  startedAt: z.number(),
  monitorPid: z.number().nullable(),
  monitorStart: z.number().nullable(),
  pid: z.number().nullable(),
  pidStart: z.number().nullable(),
  /** Why the worker stopped it (first reason wins), if it did. */
  stop: z.enum(['kill', 'timeout']).nullable(),
  /** Set when the run could not start: the reason in words. */
  startError: z.string().nullable(),
  /** The end was written to Redis: the record waits only for its folder to be swept. */
  endSent: z.boolean(),
  endedAt: z.number().nullable(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The worker's folders inside its BGJOBS_HOME: run records and the runs' job folders. */
export function workerPaths(home: string) {
  const root = join(home, 'worker');
  return {
    root,
    records: join(root, 'runs'),
    jobs: join(root, 'jobs'),
    record: (run: string) => join(root, 'runs', `${run}.json`),
    jobDir: (run: string) => join(root, 'jobs', run),
  };
}
export type WorkerPaths = ReturnType<typeof workerPaths>;

export function saveRecord(paths: WorkerPaths, record: RunRecord): void {
  mkdirSync(paths.records, { recursive: true, mode: 0o700 });
  const file = paths.record(record.payload.run);
  writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Every run record on disk; a record that cannot be read is reported and skipped. */
export function loadRecords(paths: WorkerPaths, report: (message: string) => void): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(paths.records);
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      records.push(
        runRecordSchema.parse(JSON.parse(readFileSync(join(paths.records, name), 'utf8'))),
      );
    } catch (error) {
      report(`bgjobs worker: skipping unreadable run record ${name}: ${String(error)}`);
    }
  }
  return records;
}

/** Forgets a run whose end was reported: its record and its job folder. */
export function removeRun(paths: WorkerPaths, run: string): void {
  rmSync(paths.record(run), { force: true });
  rmSync(paths.jobDir(run), { recursive: true, force: true });
}
