// The live jobs table: a snapshot from the server's event stream, then each job's changes as
// they happen; filters by status, project, kind and text; a view of what listens where; the
// running and failed counts in the page title.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { JobRow } from '../src/http/rows.js';
import { duration, exitOf } from './format.js';
import { newestFirst, useJobs } from './jobs-feed.js';
import { Header } from './nav.js';
import { useNow } from './now.js';

const STATUSES = ['queued', 'running', 'completed', 'failed', 'killed', 'timed_out', 'lost'];
/** Rows rendered at first, and added each time the end of the table scrolls into view. */
export const PAGE_ROWS = 100;

export function JobsTable() {
  const { jobs, connected } = useJobs();
  const [status, setStatus] = useState('');
  const [project, setProject] = useState('');
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [listening, setListening] = useState(false);
  const [shown, setShown] = useState(PAGE_ROWS);
  const now = useNow(1000);

  const rows = useMemo(() => {
    const all = newestFirst(jobs?.values() ?? []);
    const needle = text.trim().toLowerCase();
    return all.filter(
      (job) =>
        (status === '' || job.status === status) &&
        (project === '' || job.project === project) &&
        (kind === '' || job.kind === kind) &&
        (!listening || job.ports.length > 0) &&
        (needle === '' ||
          `${job.job_id} ${job.name ?? ''} ${job.command}`.toLowerCase().includes(needle)),
    );
  }, [jobs, status, project, kind, text, listening]);

  const counts = useMemo(() => {
    let running = 0;
    let failed = 0;
    for (const job of jobs?.values() ?? []) {
      if (job.status === 'running') running++;
      if (job.status === 'failed' || job.status === 'lost' || job.status === 'timed_out') failed++;
    }
    return { running, failed };
  }, [jobs]);
  useEffect(() => {
    document.title = `(${counts.running} running, ${counts.failed} failed) bgjobs`;
  }, [counts]);

  const projects = useMemo(
    () => [...new Set([...(jobs?.values() ?? [])].map((job) => job.project ?? ''))].filter(Boolean),
    [jobs],
  );

  return (
    <main>
      <Header connected={connected}>
        <span class="counts" data-testid="counts">
          {counts.running} running · {counts.failed} failed
        </span>
      </Header>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <select
          aria-label="status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value)}
        >
          <option value="">any status</option>
          {STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <select
          aria-label="project"
          value={project}
          onChange={(e) => setProject(e.currentTarget.value)}
        >
          <option value="">any project</option>
          {projects.map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
        <select aria-label="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">any kind</option>
          <option value="shell">shell</option>
          <option value="llm">prompt</option>
        </select>
        <input
          type="search"
          aria-label="search"
          placeholder="id, name or command"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <label>
          <input
            type="checkbox"
            checked={listening}
            onChange={(e) => setListening(e.currentTarget.checked)}
          />
          listening only
        </label>
      </form>
      {jobs === undefined ? (
        <p class="empty">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">No jobs{jobs.size > 0 ? ' match' : ' yet'}.</p>
      ) : (
        <table class="jobs" data-total={rows.length}>
          <thead>
            <tr>
              <th>status</th>
              <th>job</th>
              <th>kind</th>
              <th>command</th>
              <th>project</th>
              <th>duration</th>
              <th>exit</th>
              <th>ports</th>
              <th>ready</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((job) => (
              <Row key={job.job_id} job={job} now={now} />
            ))}
          </tbody>
        </table>
      )}
      {rows.length > shown && (
        <More shown={shown} total={rows.length} more={() => setShown(shown + PAGE_ROWS)} />
      )}
    </main>
  );
}

/**
 * Only the first rows are rendered (a table of 1,000 jobs would take a second to lay out);
 * more come as the end of the table scrolls into view, or with the button.
 */
function More({ shown, total, more }: { shown: number; total: number; more: () => void }) {
  const sentinel = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (sentinel.current === null) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) more();
    });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [shown]);
  return (
    <p class="more" ref={sentinel}>
      {shown} of {total} shown ·{' '}
      <button type="button" onClick={more}>
        show more
      </button>
    </p>
  );
}

function Row({ job, now }: { job: JobRow; now: number }) {
  return (
    <tr data-job={job.job_id} data-status={job.status}>
      <td>
        <span class={`status ${job.status}`}>{job.status}</span>
      </td>
      <td>
        <a href={`/jobs/${job.job_id}`}>{job.name ?? job.job_id}</a>
      </td>
      <td>
        {job.kind === 'llm' ? `prompt${job.model === null ? '' : ` · ${job.model}`}` : job.kind}
      </td>
      <td class="command" title={job.command}>
        {job.command}
      </td>
      <td>{job.project ?? ''}</td>
      <td>{duration(job.started_at, job.ended_at, now)}</td>
      <td>{exitOf(job)}</td>
      <td>
        {job.ports.map((port) => (
          <a
            class="port"
            href={`http://${location.hostname}:${port}/`}
            target="_blank"
            rel="noreferrer"
          >
            {port}
          </a>
        ))}
      </td>
      <td>{job.ready_state ?? ''}</td>
    </tr>
  );
}
