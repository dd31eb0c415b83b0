// Every job, live: the table's stream (a snapshot, then each change), shared by the views that
// show jobs (the table, running processes, services).
import { useLayoutEffect, useState } from 'preact/hooks';

import type { JobRow, SnapshotMessage } from '../src/http/rows.js';
import { follow } from './api.js';

export interface JobsFeed {
  /** Undefined until the first snapshot came. */
  jobs: Map<string, JobRow> | undefined;
  connected: boolean;
}

export function useJobs(): JobsFeed {
  const [jobs, setJobs] = useState<Map<string, JobRow> | undefined>(undefined);
  const [connected, setConnected] = useState(false);
  // Subscribed as soon as the page is committed, not after its first paint.
  useLayoutEffect(
    () =>
      follow(
        '/api/events',
        {
          snapshot: (data) => {
            const { jobs: rows } = data as SnapshotMessage;
            setJobs(new Map(rows.map((row) => [row.job_id, row])));
          },
          job: (data) => {
            const row = data as JobRow;
            setJobs((old) => new Map(old).set(row.job_id, row));
          },
        },
        setConnected,
      ),
    [],
  );
  return { jobs, connected };
}

/** Newest first. */
export function newestFirst(jobs: Iterable<JobRow>): JobRow[] {
  return [...jobs].sort((a, b) => b.created_at.localeCompare(a.created_at));
}
