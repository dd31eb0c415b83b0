import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
} from '@modelcontextprotocol/server';

import { toBgError } from '../api/errors.js';
import { agentsOf } from './agent-tools.js';
import type { JobFeed } from './job-feed.js';
import { AGENT_URI_TEMPLATE, AGENTS_URI, agentUri } from './resource-uris.js';
import type { Subscriptions } from './subscriptions.js';
import type { ToolDeps } from './tool.js';

const JSON_TYPE = 'application/json';

/**
 * `bgjobs://agents` (every agent, as agent_list gives them) and `bgjobs://agents/{name}` (one):
 * the agent status resource. A subscriber is told when one of its runs ends.
 */
export function registerAgentResources(server: McpServer, deps: ToolDeps): void {
  const list = (name?: string) =>
    agentsOf(deps.api).agent_list(name === undefined ? {} : { name }, { caller: deps.caller });
  server.registerResource(
    'agents',
    AGENTS_URI,
    {
      title: 'Background agents',
      description: 'Every background agent, as agent_list gives them (JSON).',
      mimeType: JSON_TYPE,
    },
    async (uri) => json(uri.href, await reading(uri.href, () => list())),
  );
  server.registerResource(
    'agent',
    new ResourceTemplate(AGENT_URI_TEMPLATE, {
      list: async () => {
        const { agents } = await reading(AGENTS_URI, () => list()).catch(() => ({ agents: [] }));
        return {
          resources: agents.map((a) => ({
            uri: agentUri(a.name),
            name: a.name,
            mimeType: JSON_TYPE,
          })),
        };
      },
    }),
    {
      title: 'A background agent',
      description: 'One agent: state, triggers, last and next run (JSON).',
      mimeType: JSON_TYPE,
    },
    async (uri, variables) => {
      const name = String(variables.name);
      const { agents } = await reading(uri.href, () => list(name));
      return json(uri.href, agents[0]);
    },
  );
}

/** Tells subscribers of an agent (and of all agents) when one of its runs ends. */
export function sendAgentUpdates(
  server: McpServer,
  feed: JobFeed,
  subscriptions: Subscriptions,
  deps: ToolDeps,
): void {
  feed.onEvent((event) => {
    if (event.type !== 'ended') return;
    void deps.api.status({ job_id: event.job_id }, { caller: deps.caller }).then(
      (status) => {
        if (status.agent === null) return;
        for (const uri of [agentUri(status.agent), AGENTS_URI]) {
          if (subscriptions.has(uri)) server.server.sendResourceUpdated({ uri }).catch(() => {});
        }
      },
      () => undefined,
    );
  });
}

async function reading<T>(uri: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const bg = toBgError(error);
    if (bg.code === 'not_found' || bg.code === 'invalid_input')
      throw new ResourceNotFoundError(uri, bg.message);
    throw new ProtocolError(ProtocolErrorCode.InternalError, bg.message);
  }
}

function json(uri: string, value: unknown) {
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(value, null, 2) }] };
}
