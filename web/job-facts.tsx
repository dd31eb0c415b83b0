// What a job runs and how it went, as the job's page and the chat's job view both show it.
import type { StatusResult } from '../src/api/listing.js';
import { duration, exitOf, when } from './format.js';

export function JobFacts({ job, now }: { job: StatusResult; now: number }) {
  return (
    <dl class="facts">
      <dt>command</dt>
      <dd>
        <code>{job.command}</code>
      </dd>
      <dt>cwd</dt>
      <dd>{job.cwd}</dd>
      <dt>id</dt>
      <dd>{job.job_id}</dd>
      <dt>pid</dt>
      <dd>{job.pid ?? '—'}</dd>
      <dt>started</dt>
      <dd>{when(job.started_at)}</dd>
      <dt>ended</dt>
      <dd>{when(job.ended_at)}</dd>
      <dt>duration</dt>
      <dd>{duration(job.started_at, job.ended_at, now)}</dd>
      <dt>exit</dt>
      <dd data-testid="exit">{exitOf(job) || '—'}</dd>
      <dt>reason</dt>
      <dd>{job.reason ?? '—'}</dd>
      {job.on !== null && <dt>on</dt>}
      {job.on !== null && <dd data-testid="on">{job.on}</dd>}
      {job.on !== null && <dt>worker</dt>}
      {job.on !== null && (
        <dd data-testid="worker">
          {job.worker === null ? 'not started yet' : `${job.worker.name} (${job.worker.host})`}
        </dd>
      )}
      {job.ports.length > 0 && <dt>ports</dt>}
      {job.ports.length > 0 && <dd>{job.ports.join(', ')}</dd>}
      {job.runs > 1 && <dt>runs</dt>}
      {job.runs > 1 && <dd>{job.runs}</dd>}
      {job.model !== null && <dt>model</dt>}
      {job.model !== null && <dd>{job.model}</dd>}
      {job.usage !== null && <dt>tokens</dt>}
      {job.usage !== null && (
        <dd>
          {job.usage.input_tokens ?? '?'} in, {job.usage.output_tokens ?? '?'} out
          {job.latency_ms !== null && `, ${job.latency_ms} ms`}
        </dd>
      )}
    </dl>
  );
}
