import type { CallOptions, JobsApi } from '../api/contract.js';
import type { AgentStore } from '../store/agent-store.js';
import type { Agents } from './agents.js';
import type { AgentsApi } from './contract.js';
import { applyDown, applyUp } from './up.js';

/** The agents API in the daemon, over its Agents and its engine. */
export function serveAgents(agents: Agents, api: JobsApi, store: AgentStore): AgentsApi {
  const callerOf = (options: CallOptions = {}) => ({
    cwd: options.caller?.cwd ?? process.cwd(),
    env: options.caller?.env ?? {},
  });
  return {
    agent_start: (input, options) => agents.start(input as never, callerOf(options)),
    agent_list: (input) => agents.list(input as never),
    agent_stop: (input) => agents.stop(input as never),
    agent_pause: (input) => agents.pause(input as never),
    agent_resume: (input) => agents.resume(input as never),
    agent_run: (input) => agents.run(input as never),
    up: (input, options) =>
      applyUp(input as never, {
        agents,
        api,
        store,
        caller: { ...callerOf(options), reader: 'up' },
      }),
    down: (input, options) =>
      applyDown(input as never, {
        agents,
        api,
        store,
        caller: { ...callerOf(options), reader: 'up' },
      }),
  };
}
