import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import { forwardResourceUpdates } from '../mcp/resource-updates.js';
import { PROFILE_NAMES, type ProfileName } from '../mcp/profiles/names.js';
import type { AgentsApi } from '../agents/contract.js';
import { dashboardAgents } from './dashboard-agents.js';
import { dashboardApi, type DashboardEnv } from './dashboard-api.js';
import { dashboardWorkers } from './dashboard-workers.js';
import { JobFeed } from '../mcp/job-feed.js';
import {
  checkBearer,
  checkCsrf,
  checkHost,
  checkOrigin,
  type GuardResult,
  SECURITY_HEADERS,
} from './guards.js';
import { csrfTokenOf, LoginCodes, makeSessionCookie, SESSION_COOKIE, sessionOf } from './login.js';
import { McpEndpoint } from './mcp-endpoint.js';
import { loadFrontEnd } from './static-files.js';
import type { TokenSource } from './token.js';

/** The dashboard's views besides the jobs table (`/`) and a job's page (`/jobs/ID`). */
export const VIEWS = ['processes', 'services', 'agents', 'workers'] as const;

export interface HttpAppOptions {
  api: JobsApi;
  tokens: TokenSource;
  /** Host names besides the loopback ones that requests may be addressed to. */
  allowedHosts: readonly string[];
  /** The daemon's background agents, for the agents view (absent: the view says so). */
  agents?: AgentsApi | undefined;
  /** Jobs started over HTTP inherit this caller. */
  caller: Caller;
  version: string;
  logError: (message: string, error: unknown) => void;
  /** How long an unused 2025-era MCP session lives. */
  sessionIdleMs?: number;
  /** Called once for each refused request (logged to stderr by the server). */
  onRefused: (request: Request, reason: string) => void;
}

export interface HttpApp {
  app: Hono<DashboardEnv>;
  endpoints: ReadonlyMap<string, McpEndpoint>;
  hub: JobFeed;
  close: () => Promise<void>;
}

/**
 * The HTTP server's routes behind its guards, mounted once: Host and Origin for every request;
 * a bearer token for `/mcp` and `/mcp/PROFILE` (MCP over Streamable HTTP); a one-time login link
 * at `/login` that sets the session cookie; the cookie (and CSRF proof for changes) for the
 * dashboard — `/`, `/jobs/ID`, its assets and its API under `/api`.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { api, tokens, caller, version, logError } = options;
  const hub = new JobFeed(api, caller, logError);
  const endpoints = new Map<string, McpEndpoint>();
  const forwards: { stop: () => void }[] = [];
  for (const profile of [undefined, ...PROFILE_NAMES] as (ProfileName | undefined)[]) {
    const endpoint = new McpEndpoint(api, {
      caller,
      version,
      profile,
      logError,
      sessionIdleMs: options.sessionIdleMs,
    });
    endpoints.set(profile === undefined ? '' : profile, endpoint);
    forwards.push(
      forwardResourceUpdates(hub, {
        has: () => true, // each listen stream filters for what it asked
        updated: (uri) => endpoint.notify.resourceUpdated(uri),
        listChanged: () => endpoint.notify.resourcesChanged(),
      }),
    );
  }
  hub.start();
  const logins = new LoginCodes();
  const files = loadFrontEnd();
  const app = new Hono<DashboardEnv>();

  const refuse = (c: Context, result: Extract<GuardResult, { ok: false }>) => {
    options.onRefused(c.req.raw, result.reason);
    return c.json({ error: 'refused', message: refusalMessage(result) }, result.status);
  };

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use(async (c, next) => {
    const host = c.req.header('host');
    const result = checkHost(host, options.allowedHosts);
    if (!result.ok) return refuse(c, result);
    const origin = checkOrigin(c.req.header('origin'), host);
    if (!origin.ok) return refuse(c, origin);
    return next();
  });

  app.all('/mcp/:profile?', async (c) => {
    const endpoint = endpoints.get(c.req.param('profile') ?? '');
    if (endpoint === undefined)
      return c.json({ error: 'not_found', message: 'No such profile.' }, 404);
    const bearer = checkBearer(c.req.header('authorization'), tokens.get());
    if (!bearer.ok) return refuse(c, bearer);
    return endpoint.fetch(c.req.raw, c.env?.incoming);
  });

  app.get('/login', (c) => {
    const token = tokens.get();
    if (!logins.redeem(c.req.query('code') ?? '', token)) {
      return refuse(c, { ok: false, status: 401, reason: 'bad or used login code' });
    }
    setCookie(c, SESSION_COOKIE, makeSessionCookie(token), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect('/', 303);
  });

  app.use(async (c, next) => {
    const token = tokens.get();
    const session = sessionOf(getCookie(c, SESSION_COOKIE), token);
    if (session === undefined) {
      return refuse(c, { ok: false, status: 401, reason: 'no dashboard session' });
    }
    const csrf = csrfTokenOf(session, token);
    const result = checkCsrf(c.req.method, c.req.header('x-csrf-token'), csrf);
    if (!result.ok) return refuse(c, result);
    c.set('csrf', csrf);
    return next();
  });

  const dashboardCaller = { ...caller, reader: 'dashboard' };
  app.route('/api', dashboardApi({ api, hub, caller: dashboardCaller, logError }));
  app.route(
    '/api/agents',
    dashboardAgents({ api, agents: options.agents, hub, caller: dashboardCaller, logError }),
  );
  app.route('/api/workers', dashboardWorkers({ api, hub, caller: dashboardCaller, logError }));

  app.get('/assets/:file', (c) => {
    const file = files.get(c.req.param('file'));
    if (file === undefined) return c.notFound();
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': file.type });
  });
  const page = (c: Context) => {
    const index = files.get('index.html');
    if (index === undefined)
      return c.text('The dashboard was not built: run `npm run build`.', 500);
    c.header('Cache-Control', 'no-store');
    return c.body(index.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': index.type });
  };
  app.get('/', page);
  app.get('/jobs/:id', page);
  for (const view of VIEWS) app.get(`/${view}`, page);

  return {
    app,
    endpoints,
    hub,
    close: async () => {
      for (const forward of forwards) forward.stop();
      await Promise.all([...endpoints.values()].map((endpoint) => endpoint.close()));
      await hub.stop();
    },
  };
}

function refusalMessage(result: Extract<GuardResult, { ok: false }>): string {
  if (result.status === 401) {
    return 'Not authorised. For MCP, send Authorization: Bearer TOKEN (`bgjobs token`); for the dashboard, open the link `bgjobs dashboard` prints.';
  }
  return `Refused: ${result.reason}.`;
}
