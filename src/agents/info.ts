import type { AgentRow, AgentStore } from '../store/agent-store.js';
import type { AgentInfo, AgentState } from './api.js';
import type { ArmedAgent } from './armed-agent.js';
import type { AgentHost } from './host.js';
import { describeTriggers, globsOf, type AgentSpec } from './spec.js';

const ACTION_CHARS = 200;

/** What agent_list says of one agent. */
export async function describeAgent(
  row: AgentRow,
  spec: AgentSpec,
  armed: ArmedAgent | undefined,
  deps: { store: AgentStore; host: AgentHost },
): Promise<AgentInfo> {
  const [latest] = deps.store.runs(row.name, 1);
  const last = latest ? await deps.host.jobState(latest.job_id) : undefined;
  const running = armed?.runningJob !== undefined || last?.live === true;
  const state: AgentState = armed
    ? running
      ? 'running'
      : 'armed'
    : row.state === 'armed'
      ? 'failed'
      : row.state;
  const warnings: string[] = [];
  if (armed?.globsMatch === false) {
    warnings.push(
      `watch ${globsOf(spec.watch).join(', ')} matches no file in ${spec.cwd ?? '.'} yet`,
    );
  }
  const action =
    spec.command !== undefined
      ? spec.command
      : `prompt${spec.model ? ` (${spec.model})` : ''}: ${spec.prompt ?? ''}`;
  return {
    name: row.name,
    state,
    kind: spec.command !== undefined ? 'shell' : 'llm',
    action: action.length > ACTION_CHARS ? `${action.slice(0, ACTION_CHARS)}…` : action,
    cwd: spec.cwd ?? '',
    triggers: describeTriggers(spec),
    overlap: spec.overlap,
    last_run: last
      ? {
          job_id: last.job_id,
          status: last.status,
          exit_code: last.exit_code,
          ended_at: last.ended_at,
        }
      : null,
    next_run_at: armed?.nextAt !== undefined ? new Date(armed.nextAt).toISOString() : null,
    runs: deps.store.countRuns(row.name),
    failures: row.failures,
    error: row.error,
    warnings,
    source: row.source,
  };
}
