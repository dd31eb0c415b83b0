import type { RunStart } from '../events.js';
import type { Ending, JobRecord } from '../model.js';

/**
 * What runs jobs of one kind. The queue asks the runner of a job's kind to start it; `kill`,
 * timeouts and session ends ask it to stop it; a new daemon asks it to re-adopt what an old
 * one left running. A runner never writes a job's status: it reports starts and ends to its
 * host, and the host decides what follows (another run, a retry, the end).
 *
 * Adding a kind of job (a remote worker, say) is adding a Runner and naming it in the
 * engine's runner table; the verbs, the queue and the transitions stay as they are.
 */
export interface Runner {
  /** How many jobs it holds now; they count against its limit. */
  running(): number;
  /** How many it may hold at once. */
  limit(): number;
  /**
   * Starts a job the store already holds as `running` (so a crash after this point can never
   * start it twice). Resolves once the job runs, or once its failed start has been reported.
   */
  start(job: JobRecord): Promise<void>;
  /**
   * Stops a job it holds: SIGNAL first, then whatever force it has once GRACE_MS have passed.
   * Resolves once the job's end has been reported (or the runner is closing).
   */
  stop(job: JobRecord, signal: NodeJS.Signals, graceMs: number): Promise<{ escalated: boolean }>;
  /** Follows a job a previous daemon started and left `running`, or reports how it ended. */
  adopt(job: JobRecord): void;
  /**
   * Writes TEXT to a job's stdin, for a runner whose jobs' stdin is not a FIFO in the job's
   * folder (a remote worker's). Without it, `interact` writes to that FIFO.
   */
  input?(job: JobRecord, text: string): Promise<void>;
  /** Closes a job's stdin (EOF), for a runner that has `input`. */
  closeInput?(job: JobRecord): Promise<void>;
  /** Stops following its jobs; what still runs is re-adopted by the next daemon. */
  close(): Promise<void>;
}

/** What a runner reports to: the engine's lifecycle, which alone decides what follows. */
export interface RunnerHost {
  /** A run is under way, its output starting at RUN (when the runner knows it). */
  started(id: string, run?: RunStart): void;
  /**
   * A run ended as ENDING says. The host records it, and answers with the delay before the
   * next run when the job is a service that restarts; null when the runner is done with it.
   */
  runEnded(job: JobRecord, ending: Ending): { restartInMs: number } | null;
  /**
   * The job's readiness condition was judged where it runs (a remote worker probes a port or a
   * URL on its own host): recorded if the job still runs and its readiness is still pending.
   */
  ready(id: string, state: 'ready' | 'failed', match: string): void;
}
