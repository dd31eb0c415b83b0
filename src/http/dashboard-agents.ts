import { Hono } from 'hono';

import type { AgentsApi } from '../agents/contract.js';
import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import type { JobFeed } from '../mcp/job-feed.js';
import type { DashboardEnv } from './dashboard-api.js';
import { replyError } from './dashboard-api.js';
import { coalesced } from './coalesce.js';
import { rowOfSummary, type AgentRow, type AgentsMessage } from './rows.js';
import { sse } from './sse.js';

export interface DashboardAgentsDeps {
  api: JobsApi;
  /** Absent where the server has no agents (it was started without the daemon's). */
  agents: AgentsApi | undefined;
  hub: JobFeed;
  caller: Caller;
  logError: (message: string, error: unknown) => void;
}

/** Runs of each agent the view shows. */
const RECENT_RUNS = 5;

/**
 * The agents view's API under `/api/agents`: a stream of every agent — its triggers, state,
 * next run and latest runs — sent whole at first and again whenever a job changes (an agent's
 * runs are jobs) or an action here changes an agent; and pause, resume and run now.
 */
export function dashboardAgents(deps: DashboardAgentsDeps): Hono<DashboardEnv> {
  const { api, agents, hub, caller } = deps;
  const app = new Hono<DashboardEnv>();
  const options = { caller };
  const kicks = new Set<() => void>();
  const changed = () => kicks.forEach((kick) => kick());

  app.get('/events', (c) =>
    sse(c, deps.logError, async (stream, signal) => {
      const send = async () => {
        const message = await describe(api, agents, caller);
        await stream.writeSSE({ event: 'agents', data: JSON.stringify(message) });
      };
      const { kick, settled } = coalesced(
        send,
        (error) => deps.logError('describing agents failed', error),
        () => signal.aborted,
      );
      const leave = hub.on((event) => {
        if (event.type !== 'output') kick();
      });
      kicks.add(kick);
      signal.addEventListener(
        'abort',
        () => {
          leave();
          kicks.delete(kick);
        },
        { once: true },
      );
      kick();
      await settled();
    }),
  );

  for (const action of ['pause', 'resume', 'run'] as const) {
    app.post(`/:name/${action}`, async (c) => {
      if (agents === undefined) return c.json({ error: 'not_found', message: NO_AGENTS }, 404);
      const input = { name: c.req.param('name') };
      const method = action === 'run' ? agents.agent_run : agents[`agent_${action}`];
      const reply = await method(input, options);
      changed();
      return c.json(reply);
    });
  }

  app.onError((error, c) => replyError(error, c, deps.logError));
  return app;
}

const NO_AGENTS =
  'This server has no background agents: run it in the daemon (bgjobs serve --http).';

async function describe(
  api: JobsApi,
  agents: AgentsApi | undefined,
  caller: Caller,
): Promise<AgentsMessage> {
  if (agents === undefined) return { available: false, agents: [] };
  const listed = await agents.agent_list({}, { caller });
  const rows: AgentRow[] = [];
  for (const agent of listed.agents) {
    const runs = await api.list({ agent: agent.name, all: true, limit: RECENT_RUNS }, { caller });
    rows.push({ ...agent, recent: runs.jobs.map(rowOfSummary) });
  }
  return { available: true, agents: rows };
}
