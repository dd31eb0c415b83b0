import type { Trigger } from '../store/agent-store.js';
import type { AgentSpec } from './spec.js';

/** How a run of an agent ended (or stands), as the engine tells it. */
export interface RunState {
  job_id: string;
  status: string;
  exit_code: number | null;
  ended_at: string | null;
  live: boolean;
}

export interface RunRequest {
  spec: AgentSpec;
  /** The environment of the client that defined the agent: runs inherit it, like any job. */
  callerEnv: Record<string, string>;
  trigger: Trigger;
}

/**
 * All agents need of the engine: a trigger asks for a job like any client. Implemented over the
 * public JobsApi (`jobs-host.ts`); nothing here reaches into the engine.
 */
export interface AgentHost {
  startRun(request: RunRequest): Promise<{ job_id: string }>;
  /** Stops a run (SIGTERM, then SIGKILL after the grace) and resolves once it has ended. */
  stopJob(jobId: string): Promise<void>;
  /** Removes an ended run: its record and its output. */
  removeJob(jobId: string): Promise<void>;
  /** Where a run stands now; undefined when the job is gone. */
  jobState(jobId: string): Promise<RunState | undefined>;
  /** Calls the listener whenever a job ends; returns a function that stops listening. */
  onJobEnded(listener: (jobId: string) => void): () => void;
}
