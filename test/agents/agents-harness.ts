// An in-process engine with agents over it (as the daemon builds them), on a fresh home.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Agents } from '../../src/agents/agents.js';
import { jobsHost } from '../../src/agents/jobs-host.js';
import { agentStoreOf, type AgentStore } from '../../src/store/agent-store.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

export interface AgentsHarness {
  engine: EngineHarness;
  agents: Agents;
  store: AgentStore;
  /** A project folder for the agent to watch (its own temp folder). */
  project: string;
  caller: { cwd: string; env: Record<string, string> };
  /** Closes agents and engine, as a daemon stopping (or dying) would, and opens them again. */
  restart: () => Promise<void>;
  /** Run job ids of an agent, oldest first. */
  runs: (name: string) => string[];
  /** Waits until the agent has N runs, the last one ended; returns their ids. */
  waitRuns: (name: string, n: number, timeoutMs?: number) => Promise<string[]>;
  stdout: (jobId: string) => Promise<string>;
  close: () => Promise<void>;
}

export async function openAgents(): Promise<AgentsHarness> {
  const engine = await openEngine();
  const project = realpathSync(mkdtempSync(join(tmpdir(), 'bgjobs-project-')));
  const caller = { cwd: project, env: engine.env };
  const make = (): { agents: Agents; store: AgentStore } => {
    const store = agentStoreOf(engine.engine.store);
    const agents = new Agents({
      store,
      host: jobsHost(engine.engine),
      home: engine.home,
      log: () => undefined,
    });
    return { agents, store };
  };
  let current = make();
  const harness: AgentsHarness = {
    engine,
    project,
    caller,
    get agents() {
      return current.agents;
    },
    get store() {
      return current.store;
    },
    restart: async () => {
      await current.agents.close();
      await engine.reopen();
      current = make();
      await current.agents.armAll();
    },
    runs: (name) =>
      current.store
        .runs(name)
        .map((run) => run.job_id)
        .reverse(),
    waitRuns: async (name, n, timeoutMs = 20_000) =>
      until(
        async () => {
          const ids = harness.runs(name);
          if (ids.length < n) return undefined;
          const last = ids[ids.length - 1];
          const status = last ? await engine.engine.status({ job_id: last }) : undefined;
          return status && status.status !== 'running' && status.status !== 'queued'
            ? ids
            : undefined;
        },
        timeoutMs,
        `${n} ended runs of agent ${name}`,
      ),
    stdout: async (jobId) =>
      (await engine.engine.output({ job_id: jobId, stream: 'stdout', raw: true })).stdout,
    close: async () => {
      await current.agents.close();
      await engine.close();
      rmSync(project, { recursive: true, force: true });
    },
  };
  return harness;
}
