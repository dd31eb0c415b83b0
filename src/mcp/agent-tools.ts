import type { JobsApi } from '../api/contract.js';
import { BgError, ErrorCode } from '../api/errors.js';
import {
  agentListInputSchema,
  agentListOutputSchema,
  agentStartOutputSchema,
  agentStopInputSchema,
  agentStopOutputSchema,
} from '../agents/api.js';
import type { AgentsApi } from '../agents/contract.js';
import { agentStartInputSchema } from '../agents/spec.js';
import { defineTool } from './tool.js';

/** The agents' half of the API behind a JobsApi: the daemon client carries it as `.agents`. */
export function agentsOf(api: JobsApi): AgentsApi {
  const agents = (api as Partial<{ agents: AgentsApi }>).agents;
  if (!agents) {
    throw new BgError(
      ErrorCode.notAllowed,
      'Background agents run in the bgjobs daemon; this server has none.',
    );
  }
  return agents;
}

export const agentStartTool = defineTool({
  name: 'agent_start',
  title: 'Start a background agent',
  description: [
    'Arm a background agent ("start monitoring my project"): on each trigger (`watch`, `every`,',
    '`cron`, `on_start`) it runs `command` or `prompt` as a job. Survives restarts.',
  ].join(' '),
  inputSchema: agentStartInputSchema,
  outputSchema: agentStartOutputSchema,
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  call: (api, input, options) => agentsOf(api).agent_start(input, options),
  summarize: (r) =>
    `Agent ${r.name} ${r.existing ? 'was already defined so' : r.replaced ? 'replaced;' : 'started;'} ${r.state}` +
    `${r.next_run_at ? `, next run at ${r.next_run_at}` : ''}.${r.error ? ` ${r.error}` : ''}` +
    ` Its runs: list with agent:"${r.name}"; subscribe to bgjobs://agents/${r.name} to hear when one ends.`,
});

export const agentListTool = defineTool({
  name: 'agent_list',
  title: 'List background agents',
  description: 'Background agents: state, triggers, last and next run.',
  inputSchema: agentListInputSchema,
  outputSchema: agentListOutputSchema,
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => agentsOf(api).agent_list(input, options),
  summarize: ({ agents }) =>
    agents.length === 0
      ? 'No agents. Start one with agent_start.'
      : agents
          .map(
            (a) =>
              `${a.name}: ${a.state}, ${a.triggers.join(', ')}; last run ${a.last_run ? `${a.last_run.job_id} ${a.last_run.status}` : 'none'}${a.error ? `; ${a.error}` : ''}${a.warnings.length ? `; ${a.warnings.join('; ')}` : ''}`,
          )
          .join('\n'),
});

export const agentStopTool = defineTool({
  name: 'agent_stop',
  title: 'Stop a background agent',
  description: 'Disarm a background agent and stop its run.',
  inputSchema: agentStopInputSchema,
  outputSchema: agentStopOutputSchema,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => agentsOf(api).agent_stop(input, options),
  summarize: (r) => r.message,
});

export const AGENT_TOOLS = [agentStartTool, agentListTool, agentStopTool];
