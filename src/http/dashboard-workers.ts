import { Hono } from 'hono';

import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import type { JobSummary } from '../api/listing.js';
import type { JobFeed } from '../mcp/job-feed.js';
import { coalesced } from './coalesce.js';
import type { DashboardEnv } from './dashboard-api.js';
import { rowOfSummary, type JobRow, type WorkersMessage } from './rows.js';
import { sse } from './sse.js';

export interface DashboardWorkersDeps {
  api: JobsApi;
  hub: JobFeed;
  caller: Caller;
  logError: (message: string, error: unknown) => void;
}

/**
 * Workers' heartbeats live in Redis, which tells no one when they change: while a page
 * follows the view, the server reads them again this often (the workers' default heartbeat).
 */
export const WORKERS_REFRESH_MS = 2000;
/** Remote jobs looked at, newest first, and shown per worker. */
const JOBS_LOOKED_AT = 1000;
const JOBS_PER_WORKER = 20;

/**
 * The workers view's stream under `/api/workers`: every worker on the Redis of
 * BGJOBS_REDIS_URL (name, host, labels, running and queued counts, last heartbeat, state) with
 * the remote jobs each one ran, and the remote jobs no worker has taken yet. Sent whole at
 * first, again at each job change (from the one event stream), and — since heartbeats come
 * only from Redis — read again every WORKERS_REFRESH_MS by the server, sent when it changed.
 * The page itself never polls.
 */
export function dashboardWorkers(deps: DashboardWorkersDeps): Hono<DashboardEnv> {
  const { api, hub, caller } = deps;
  const app = new Hono<DashboardEnv>();

  app.get('/events', (c) =>
    sse(c, deps.logError, async (stream, signal) => {
      let last = '';
      const send = async () => {
        const text = JSON.stringify(await describe(api, caller));
        if (text === last || signal.aborted) return;
        last = text;
        await stream.writeSSE({ event: 'workers', data: text });
      };
      const { kick, settled } = coalesced(
        send,
        (error) => deps.logError('describing workers failed', error),
        () => signal.aborted,
      );
      const leave = hub.on((event) => {
        if (event.type !== 'output') kick();
      });
      const timer = setInterval(kick, WORKERS_REFRESH_MS);
      signal.addEventListener(
        'abort',
        () => {
          leave();
          clearInterval(timer);
        },
        { once: true },
      );
      kick();
      await settled();
    }),
  );
  return app;
}

async function describe(api: JobsApi, caller: Caller): Promise<WorkersMessage> {
  const raw = caller.env.BGJOBS_REDIS_URL;
  if (raw === undefined || raw === '') {
    return { available: false, problem: null, workers: [], waiting: [] };
  }
  const { checkRedisUrl, redactUrl } = await import('../remote/redis-url.js');
  const { listWorkers } = await import('../remote/workers-list.js');
  const url = checkRedisUrl(raw);
  const listed = await api.list({ all: true, limit: JOBS_LOOKED_AT }, { caller });
  const remote = listed.jobs.filter((job) => job.on !== null);
  try {
    const workers = await listWorkers(url);
    return {
      available: true,
      problem: null,
      workers: workers.map((worker) => ({
        ...worker,
        jobs: rowsOf(remote.filter((job) => job.worker?.name === worker.name)),
      })),
      waiting: rowsOf(remote.filter((job) => job.worker === null && isLive(job))),
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      available: true,
      problem: `Could not read the workers from ${redactUrl(url)}: ${why}`,
      workers: [],
      waiting: rowsOf(remote.filter((job) => job.worker === null && isLive(job))),
    };
  }
}

function isLive(job: JobSummary): boolean {
  return job.status === 'running' || job.status === 'queued';
}

/** Live jobs first, then the newest (the listing is newest first already). */
function rowsOf(jobs: JobSummary[]): JobRow[] {
  const ordered = [...jobs.filter(isLive), ...jobs.filter((job) => !isLive(job))];
  return ordered.slice(0, JOBS_PER_WORKER).map(rowOfSummary);
}
