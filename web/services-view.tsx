// Services (named jobs): the latest run of each name — its status, restarts within it and how
// the previous run ended, its restart policy — and the history of the name's earlier jobs.
import type { JobRow } from '../src/http/rows.js';
import { duration, exitOf, when } from './format.js';
import { newestFirst, useJobs } from './jobs-feed.js';
import { Header } from './nav.js';
import { useNow } from './now.js';

export function ServicesView() {
  const { jobs, connected } = useJobs();
  const now = useNow(1000);
  const byName = new Map<string, JobRow[]>();
  for (const job of newestFirst(jobs?.values() ?? [])) {
    if (job.name === null) continue;
    byName.set(job.name, [...(byName.get(job.name) ?? []), job]);
  }
  return (
    <main>
      <Header connected={connected} />
      {jobs === undefined ? (
        <p class="empty">Loading…</p>
      ) : byName.size === 0 ? (
        <p class="empty">No services yet: a job started with a name is one.</p>
      ) : (
        [...byName].map(([name, history]) => (
          <Service key={name} name={name} history={history} now={now} />
        ))
      )}
    </main>
  );
}

function Service({ name, history, now }: { name: string; history: JobRow[]; now: number }) {
  const [latest] = history;
  if (latest === undefined) return null;
  return (
    <section class="service" data-service={name}>
      <h2>
        <a href={`/jobs/${latest.job_id}`}>{name}</a>{' '}
        <span class={`status ${latest.status}`}>{latest.status}</span>
      </h2>
      <p class="facts-line">
        {latest.runs !== null && <span data-testid="runs">runs: {latest.runs}</span>}
        {latest.last_exit !== null && (
          <span>previous run ended: {exitOf(latest.last_exit) || '?'}</span>
        )}
        {latest.restart_policy !== null && <span>restart: {latest.restart_policy}</span>}
        {latest.next_restart_at !== null && <span>next start: {when(latest.next_restart_at)}</span>}
        {latest.ports.length > 0 && <span>ports: {latest.ports.join(', ')}</span>}
      </p>
      <table class="jobs history">
        <thead>
          <tr>
            <th>job</th>
            <th>status</th>
            <th>started</th>
            <th>duration</th>
            <th>exit</th>
          </tr>
        </thead>
        <tbody>
          {history.map((job) => (
            <tr key={job.job_id} data-job={job.job_id} data-status={job.status}>
              <td>
                <a href={`/jobs/${job.job_id}`}>{job.job_id}</a>
              </td>
              <td>
                <span class={`status ${job.status}`}>{job.status}</span>
              </td>
              <td>{when(job.started_at)}</td>
              <td>{duration(job.started_at, job.ended_at, now)}</td>
              <td>{exitOf(job)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
