import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { z } from 'zod';

import { BgError, ErrorCode, toBgError } from '../api/errors.js';
import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import type { JobFeed } from '../mcp/job-feed.js';
import { MASKED } from '../present/secret-env.js';
import { followJob } from './job-stream.js';
import { sse } from './sse.js';
import {
  inputBodySchema,
  killBodySchema,
  rowOfStatus,
  rowOfSummary,
  type JobRow,
  type SnapshotMessage,
} from './rows.js';

export interface DashboardDeps {
  api: JobsApi;
  hub: JobFeed;
  /** Who the dashboard's actions run as (the server's own caller). */
  caller: Caller;
  logError: (message: string, error: unknown) => void;
}

/** `Bindings` are the Node request and response under a request (absent in `app.fetch` tests). */
export type DashboardEnv = {
  Variables: { csrf: string };
  Bindings: Partial<HttpBindings>;
};

const TABLE_LIMIT = 1000;
/** The first snapshot holds this many of the newest jobs, the table's first page. */
const FIRST_PAGE = 100;

/**
 * The dashboard's API under `/api` (behind the cookie and CSRF guards): the session's CSRF
 * token, the jobs table as a stream (a snapshot, then each change, from the one event stream),
 * a job page's stream (status and output), and the actions of a job page. Each handler parses
 * with zod, calls `JobsApi`, and shapes the reply.
 */
export function dashboardApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { api, hub, caller } = deps;
  const app = new Hono<DashboardEnv>();
  const options = { caller };

  app.get('/session', (c) => c.json({ csrf: c.var.csrf }));

  app.get('/events', (c) =>
    sse(c, deps.logError, async (stream, signal) => {
      // Follow first, so a change while the snapshot is read is sent after it, not lost.
      const queue: string[] = [];
      let ready = false;
      const sendRow = async (id: string) => {
        const row = await rowOf(api, id, caller);
        if (row !== undefined) await stream.writeSSE({ event: 'job', data: JSON.stringify(row) });
      };
      let chain = Promise.resolve();
      const leave = hub.on((event) => {
        if (event.type === 'output') return;
        if (!ready) return void queue.push(event.job_id);
        chain = chain.then(() => sendRow(event.job_id)).catch(() => {});
      });
      signal.addEventListener('abort', leave, { once: true });
      // The newest page first, so the table shows at once; then the whole table.
      const first = await snapshot(api, caller, FIRST_PAGE);
      await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(first) });
      if (first.total > first.jobs.length) {
        const whole = await snapshot(api, caller, TABLE_LIMIT);
        await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(whole) });
      }
      ready = true;
      for (const id of queue) chain = chain.then(() => sendRow(id)).catch(() => {});
    }),
  );

  app.get('/jobs/:id/stream', (c) =>
    sse(c, deps.logError, async (stream, signal) => {
      const write = (event: string, data: unknown) =>
        stream.writeSSE({ event, data: JSON.stringify(data) });
      await followJob(
        api,
        hub,
        c.req.param('id'),
        { status: (status) => write('status', status), output: (chunk) => write('output', chunk) },
        signal,
      ).catch((error: unknown) => write('problem', { message: toBgError(error).message }));
    }),
  );

  app.post('/jobs/:id/kill', async (c) => {
    const body = await parseBody(c.req.raw, killBodySchema);
    return c.json(await api.kill({ job_id: c.req.param('id'), signal: body.signal }, options));
  });

  app.post('/jobs/:id/remove', async (c) =>
    c.json(await api.remove({ job_id: c.req.param('id'), force: true }, options)),
  );

  app.post('/jobs/:id/input', async (c) => {
    const body = await parseBody(c.req.raw, inputBodySchema);
    const input = { job_id: c.req.param('id'), input: body.data, newline: false, timeout_s: 0 };
    return c.json(await api.interact(input, options));
  });

  // Runs the job's command again; a live named job (a service) is restarted in its place.
  app.post('/jobs/:id/retry', async (c) => {
    const job = await api.status({ job_id: c.req.param('id') }, options);
    if (job.kind !== 'shell') {
      throw new BgError(ErrorCode.invalidInput, 'Only shell jobs can be run again from here.');
    }
    // Its cwd and env_from_worker are the worker's, which the page cannot give back.
    if (job.on !== null) {
      throw new BgError(
        ErrorCode.invalidInput,
        `A remote job is not run again from here: run it again with execute (on: "${job.on}").`,
      );
    }
    // Status masks secret-looking values; running with "***" in their place would be wrong.
    const hidden = Object.keys(job.env).filter((key) => job.env[key] === MASKED);
    if (hidden.length > 0) {
      throw new BgError(
        ErrorCode.invalidInput,
        `This job was given ${hidden.join(', ')}, whose values are not shown here. Run it again where you have them (bgjobs run, or execute with env).`,
      );
    }
    const live = job.status === 'running' || job.status === 'queued';
    const started = await api.execute(
      {
        command: job.command,
        cwd: job.cwd,
        env: job.env,
        pty: job.pty ?? false,
        ...(job.name !== null && { name: job.name, replace: live }),
      },
      options,
    );
    return c.json(started);
  });

  app.onError((error, c) => replyError(error, c, deps.logError));
  return app;
}

/** A failed dashboard request: 404 for what is not there, 400 for bad input, 500 otherwise. */
export function replyError(
  error: unknown,
  c: Context,
  logError: (message: string, error: unknown) => void,
): Response {
  const bg = toBgError(error);
  const status = bg.code === ErrorCode.notFound ? 404 : bg.code === ErrorCode.internal ? 500 : 400;
  if (status === 500) logError('a dashboard request failed', error);
  return c.json({ error: bg.code, message: bg.message }, status);
}

async function snapshot(api: JobsApi, caller: Caller, limit: number): Promise<SnapshotMessage> {
  const listed = await api.list({ all: true, limit }, { caller });
  const jobs: JobRow[] = [];
  for (const summary of listed.jobs) {
    // Ports and readiness are only known (and only change) while a job runs.
    const row = summary.status === 'running' ? await rowOf(api, summary.job_id, caller) : undefined;
    jobs.push(row ?? rowOfSummary(summary));
  }
  return {
    jobs,
    total: listed.total,
    complete: jobs.length >= Math.min(listed.total, TABLE_LIMIT),
  };
}

export async function rowOf(api: JobsApi, id: string, caller: Caller): Promise<JobRow | undefined> {
  try {
    return rowOfStatus(await api.status({ job_id: id }, { caller }));
  } catch {
    return undefined; // removed meanwhile
  }
}

async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const text = await request.text();
  let raw: unknown;
  try {
    raw = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new BgError(ErrorCode.invalidInput, 'The request body must be JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BgError(ErrorCode.invalidInput, 'Invalid request body.');
  return parsed.data;
}
