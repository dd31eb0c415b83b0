import type { RunPayload } from '../wire.js';

/** One run of a job to queue for a worker with its label. */
export interface RemoteJobSpec {
  jobId: string;
  /**
   * Which run of the job this is (1 for the first): every start — a retry's, a service's
   * restart — is a run of its own, with its own key.
   */
  seq: number;
  label: string;
  command: string;
  /** A directory on the worker's machine, or null for the worker's own default. */
  cwd: string | null;
  /** The caller's env overrides: they travel in the payload. */
  env: Record<string, string>;
  envFromWorker: string[];
  pty: RunPayload['pty'];
  timeoutS: number | null;
  maxOutputBytes: number;
  ready: RunPayload['ready'];
  /** A declared port, checked free on the worker's host before the run starts. */
  port?: number | null;
  /** A prompt job's prompt, run on the worker with the worker's provider settings. */
  llm?: RunPayload['llm'];
  /** bgjobs priority, -1000 to 1000: higher starts first. */
  priority: number;
  /** Where this run's output starts in the job's files (after earlier runs' output). */
  base?: { stdout: number; stderr: number };
}

/** How a remote run ended, as the daemon learned it. */
export interface RemoteRunEnd {
  exitCode: number | null;
  signal: string | null;
  /** Why it was stopped on the worker, if it was. */
  stop: 'kill' | 'timeout' | null;
  /** The worker could not start it, or lost track of it: the reason in words. */
  error: string | null;
  /** Its worker stopped beating: the reason in words (the outcome is unknown). */
  lost: string | null;
  /** Cancelled before any worker claimed it. */
  neverStarted: boolean;
  worker: { name: string; host: string } | null;
}

/**
 * What the engine gives the remote runs: where a job's folder is, and where to report what
 * happens to it. Each report comes once per run, in order: started, then ready, then ended.
 */
export interface RemoteHost {
  jobDir: (jobId: string) => string;
  started: (
    jobId: string,
    info: { name: string; host: string; pid: number | null; at: number },
  ) => void;
  ready: (jobId: string, state: 'ready' | 'failed', match: string | null) => void;
  /** The TCP ports the run's processes listen on changed (a run with a declared port). */
  ports?: (jobId: string, ports: number[]) => void;
  /** The mirrored output grew. */
  output: (jobId: string) => void;
  ended: (jobId: string, end: RemoteRunEnd) => void;
}

export interface RemoteRunsOptions {
  redisUrl: URL;
  daemonId: string;
  host: RemoteHost;
  /** A worker silent this long is gone, and its runs lost. */
  workerTimeoutMs: number;
  prefix?: string;
  report?: (message: string) => void;
}
