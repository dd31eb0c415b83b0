import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { JobsApi } from '../api/contract.js';
import type { Logger } from '../daemon/log.js';
import { agentStoreOf } from '../store/agent-store.js';
import { Agents } from './agents.js';
import type { AgentsApi } from './contract.js';
import { jobsHost } from './jobs-host.js';
import { serveAgents } from './serve-agents.js';

export interface DaemonAgents {
  agents: Agents;
  api: AgentsApi;
}

/**
 * The daemon's agents: built over the engine's public API and its store's file, and armed —
 * every agent stored as armed starts watching and scheduling again.
 */
export async function startDaemonAgents(
  engine: JobsApi & { store: unknown },
  home: string,
  log: Logger,
): Promise<DaemonAgents> {
  const store = agentStoreOf(engine.store);
  const agents = new Agents({ store, host: jobsHost(engine), home, log });
  await agents.armAll();
  if (agents.armedCount > 0) log('info', `armed ${agents.armedCount} agent(s)`);
  return { agents, api: serveAgents(agents, engine, store) };
}

/** `bgjobs serve --config FILE`: applies the file as `bgjobs up` would, logging each step. */
export async function applyConfigFile(api: AgentsApi, file: string, log: Logger): Promise<void> {
  const path = resolve(file);
  const text = readFileSync(path, 'utf8');
  const result = await api.up(
    { file: path, text },
    { caller: { cwd: process.cwd(), env: processEnv() } },
  );
  for (const step of result.steps) {
    log(
      step.error ? 'error' : 'info',
      `${step.kind} ${step.name}: ${step.action}${step.error ? ` failed: ${step.error}` : ''}`,
      {
        ...step,
      },
    );
  }
}

function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
