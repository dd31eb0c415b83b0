import type { z } from 'zod';

import type { CallOptions } from '../api/contract.js';
// Types only: a client knows the agents' methods without loading their schemas.
import type {
  agentInfoSchema,
  agentListOutputSchema,
  agentRunOutputSchema,
  agentStartOutputSchema,
  agentStopOutputSchema,
  upOutputSchema,
} from './api.js';

/**
 * The agents' half of the API, beside JobsApi: served by the daemon (`serveAgents`) and called
 * through its socket by the MCP server and the CLI.
 */
export const AGENT_METHODS = [
  'agent_start',
  'agent_list',
  'agent_stop',
  'agent_pause',
  'agent_resume',
  'agent_run',
  'up',
  'down',
] as const;
export type AgentMethod = (typeof AGENT_METHODS)[number];

/** Each agent method's output schema (in api.ts, loaded by who checks replies). */
interface AgentOutputSchemas {
  agent_start: typeof agentStartOutputSchema;
  agent_list: typeof agentListOutputSchema;
  agent_stop: typeof agentStopOutputSchema;
  agent_pause: typeof agentInfoSchema;
  agent_resume: typeof agentInfoSchema;
  agent_run: typeof agentRunOutputSchema;
  up: typeof upOutputSchema;
  down: typeof upOutputSchema;
}

/** Agent methods that take the caller's environment (their runs inherit it). */
export const AGENT_METHODS_WITH_ENV: ReadonlySet<string> = new Set(['agent_start', 'up']);

export type AgentsApi = {
  [M in AgentMethod]: (
    input: unknown,
    options?: CallOptions,
  ) => Promise<z.infer<AgentOutputSchemas[M]>>;
};

export function isAgentMethod(method: string): method is AgentMethod {
  return (AGENT_METHODS as readonly string[]).includes(method);
}

/**
 * The agents API over any transport that can send a method and its params; `call` checks the
 * reply (the daemon client does, against AGENT_OUTPUT_SCHEMAS, unless told not to).
 */
export function agentsClient(
  call: (method: AgentMethod, params: unknown, options: CallOptions) => Promise<unknown>,
): AgentsApi {
  const method =
    <M extends AgentMethod>(name: M) =>
    async (input: unknown, options: CallOptions = {}) =>
      (await call(name, input, options)) as z.infer<AgentOutputSchemas[M]>;
  return {
    agent_start: method('agent_start'),
    agent_list: method('agent_list'),
    agent_stop: method('agent_stop'),
    agent_pause: method('agent_pause'),
    agent_resume: method('agent_resume'),
    agent_run: method('agent_run'),
    up: method('up'),
    down: method('down'),
  };
}
