// Workers on other machines: each one's name, host, labels, running and queued counts, last
// heartbeat (relative, ticking here) and state, with the remote jobs it ran — pushed by the
// server, which reads the heartbeats from Redis again while the page is open. Nothing polls.
import { useLayoutEffect, useState } from 'preact/hooks';

import type { JobRow, WorkerRow, WorkersMessage } from '../src/http/rows.js';
import { follow } from './api.js';
import { exitOf, when } from './format.js';
import { Header } from './nav.js';
import { useNow } from './now.js';

export function WorkersView() {
  const [message, setMessage] = useState<WorkersMessage | undefined>(undefined);
  const [connected, setConnected] = useState(false);
  const now = useNow(1000);
  useLayoutEffect(
    () =>
      follow(
        '/api/workers/events',
        { workers: (data) => setMessage(data as WorkersMessage) },
        setConnected,
      ),
    [],
  );
  return (
    <main>
      <Header connected={connected} />
      {message?.problem != null && <p class="problem">{message.problem}</p>}
      {message === undefined ? (
        <p class="empty">Loading…</p>
      ) : !message.available ? (
        <p class="empty">
          This server has no BGJOBS_REDIS_URL, so it sees no workers (set it for the daemon).
        </p>
      ) : (
        <>
          {message.workers.length === 0 && message.problem === null && (
            <p class="empty">No workers yet: start one with bgjobs worker --labels ….</p>
          )}
          {message.workers.map((worker) => (
            <Worker key={worker.name} worker={worker} now={now} />
          ))}
          {message.waiting.length > 0 && (
            <section class="worker" data-testid="waiting">
              <h2>Waiting for a worker</h2>
              <RemoteJobs jobs={message.waiting} />
            </section>
          )}
        </>
      )}
    </main>
  );
}

function Worker({ worker, now }: { worker: WorkerRow; now: number }) {
  const live = worker.state === 'up';
  return (
    <section class="worker" data-worker={worker.name} data-state={live ? 'live' : 'gone'}>
      <h2>
        {worker.name}{' '}
        <span class={`status ${live ? 'live' : 'gone'}`} data-testid="state">
          {live ? 'live' : `gone (${worker.state})`}
        </span>
      </h2>
      <p class="facts-line">
        <span data-testid="host">host: {worker.host}</span>
        <span data-testid="labels">labels: {worker.labels.join(', ')}</span>
        <span data-testid="running">
          running: {worker.running} of {worker.concurrency}
        </span>
        <span data-testid="queued">queued: {worker.queued}</span>
        <span data-testid="last-seen" title={when(worker.last_seen)}>
          last heartbeat: {ago(worker.last_seen, now)}
        </span>
      </p>
      {worker.jobs.length > 0 && <RemoteJobs jobs={worker.jobs} />}
    </section>
  );
}

function RemoteJobs({ jobs }: { jobs: JobRow[] }) {
  return (
    <table class="jobs history">
      <tbody>
        {jobs.map((job) => (
          <tr key={job.job_id} data-job={job.job_id} data-status={job.status}>
            <td>
              <a href={`/jobs/${job.job_id}`}>{job.name ?? job.job_id}</a>
            </td>
            <td>
              <span class={`status ${job.status}`}>{job.status}</span>
            </td>
            <td>on {job.on}</td>
            <td>
              <code>{job.command}</code>
            </td>
            <td>{exitOf(job)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How long ago ISO was, to the second ("4 s ago"); the worker's clock against this one. */
function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} m ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
