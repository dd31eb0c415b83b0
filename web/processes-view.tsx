// Running processes: every live job with its pid, what it listens on (as links), whether it is
// ready, and its log; stop or restart it from here.
import { useState } from 'preact/hooks';

import type { JobRow } from '../src/http/rows.js';
import { act } from './api.js';
import { duration } from './format.js';
import { newestFirst, useJobs } from './jobs-feed.js';
import { Header } from './nav.js';
import { useNow } from './now.js';

export function ProcessesView() {
  const { jobs, connected } = useJobs();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const now = useNow(1000);
  const live = newestFirst(jobs?.values() ?? []).filter((job) => job.status === 'running');
  const run = (job: JobRow, action: 'kill' | 'retry') => {
    act(`/api/jobs/${encodeURIComponent(job.job_id)}/${action}`).catch((error: unknown) =>
      setProblem(error instanceof Error ? error.message : String(error)),
    );
  };
  return (
    <main>
      <Header connected={connected} />
      {problem !== undefined && <p class="problem">{problem}</p>}
      {jobs === undefined ? (
        <p class="empty">Loading…</p>
      ) : live.length === 0 ? (
        <p class="empty">Nothing is running.</p>
      ) : (
        <table class="jobs processes">
          <thead>
            <tr>
              <th>job</th>
              <th>pid</th>
              <th>listens on</th>
              <th>ready</th>
              <th>up</th>
              <th>command</th>
              <th>folder</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {live.map((job) => (
              <tr key={job.job_id} data-job={job.job_id}>
                <td>
                  <a href={`/jobs/${job.job_id}`}>{job.name ?? job.job_id}</a>
                </td>
                <td>{job.pid ?? ''}</td>
                <td>
                  {job.ports.map((port) => (
                    <a
                      class="port"
                      href={`http://${location.hostname}:${port}/`}
                      target="_blank"
                      rel="noreferrer"
                    >
                      {`${location.hostname}:${port}`}
                    </a>
                  ))}
                </td>
                <td>{job.ready_state ?? ''}</td>
                <td>{duration(job.started_at, null, now)}</td>
                <td class="command" title={job.command}>
                  {job.command}
                </td>
                <td class="command" title={job.cwd}>
                  {job.cwd}
                </td>
                <td class="actions">
                  <a href={`/jobs/${job.job_id}`}>log</a>
                  {job.on === null && (
                    <button type="button" onClick={() => run(job, 'retry')}>
                      Restart
                    </button>
                  )}
                  <button type="button" onClick={() => run(job, 'kill')}>
                    Stop
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
