import { join } from 'node:path';

/**
 * Where an agent's caller environment is kept while the agent is defined: `<home>/agents/`,
 * one 0600 file per agent, never in the database. Agents outlive daemons, so it is on disk.
 *
 * @example
 * agentEnvPath('/home/me/.local/state/bgjobs', 'tests-on-change');
 * // → '/home/me/.local/state/bgjobs/agents/tests-on-change.env'
 */
export function agentEnvPath(home: string, name: string): string {
  return join(agentEnvDir(home), `${name}.env`);
}

export function agentEnvDir(home: string): string {
  return join(home, 'agents');
}
