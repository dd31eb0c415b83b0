import { constants } from 'node:os';

import type { AgentsApi } from '../agents/contract.js';
import { type Config, loadConfig } from '../config.js';
import type { CallOptions, JobsApi } from '../api/contract.js';
import type { WaitResult } from '../api/control.js';
import { ErrorCode, isBgError } from '../api/errors.js';
import { forSurface } from '../present/words.js';

/**
 * What every verb shares: the configuration, the caller context sent with each request, the
 * connection to the daemon, how results are printed, and which exit code means what.
 */

export const ExitCode = {
  ok: 0,
  /** A domain error: unknown job, bad input, limit reached, daemon unavailable. */
  error: 1,
  /** A usage error, reported by commander. */
  usage: 2,
  /** `wait --timeout` (or `run --wait-timeout`) ran out, as timeout(1) reports it. */
  timeout: 124,
  /** A bad setting (sysexits EX_CONFIG). */
  config: 78,
} as const;

/** Options every verb takes. */
export interface JsonOption {
  json?: boolean;
}

export interface Session {
  api: JobsApi;
  /** The agents' methods (agent_*, up, down). */
  agents: AgentsApi;
  call: CallOptions;
  config: Config;
}

let cachedConfig: Config | undefined;
let serving = false;

/** Marks this process as a server (the daemon, `bgjobs mcp`): it ends when its work does. */
export function stayAlive(): void {
  serving = true;
}

/** Whether the process must be left to end by itself rather than exit once the verb returns. */
export function isServing(): boolean {
  return serving;
}

/** The configuration from the environment; a bad setting is a `config` BgError (exit 78). */
export function cliConfig(): Config {
  cachedConfig ??= loadConfig(process.env);
  return cachedConfig;
}

/** The caller context: a job inherits this process's environment and working directory. */
export function callOptions(config: Config): CallOptions {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  return {
    caller: {
      cwd: process.cwd(),
      env,
      workingDir: config.workingDir,
      allowedCommands: config.allowedCommands,
      allowRedirects: config.allowRedirects,
      jobTimeoutS: config.jobTimeoutS,
      reader: 'cli',
    },
  };
}

/** Runs `fn` against the daemon (started on demand), closing the connection afterwards. */
export async function withApi<T>(fn: (session: Session) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const { DaemonClient } = await import('../daemon/client.js');
  // Connected by the first call, which can then be refused before a daemon is started for it
  // (a new job on a full disk); a daemon that cannot start is reported by that call.
  const client = new DaemonClient(config, true, false);
  try {
    return await fn({ api: client, agents: client.agents, call: callOptions(config), config });
  } finally {
    client.close();
  }
}

/** Prints a result for scripts: pretty on a terminal, one compact line (JSON Lines) otherwise. */
export function printJson(value: unknown): void {
  const text = process.stdout.isTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  process.stdout.write(`${text}\n`);
}

/** Prints `value` as JSON with `--json`, else as the text `human` makes of it (if any). */
export function print<T>(options: JsonOption, value: T, human: (value: T) => string): void {
  if (options.json) return printJson(value);
  const text = human(value);
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A note for the person at the terminal, on stderr so stdout stays clean for scripts. */
export function note(message: string): void {
  process.stderr.write(`bgjobs: ${message}\n`);
}

/** The exit code a failure maps to; the message goes to stderr. */
export function reportError(error: unknown): number {
  if (isBgError(error)) {
    note(forSurface(error.message, 'cli'));
    return error.code === ErrorCode.config ? ExitCode.config : ExitCode.error;
  }
  const message = error instanceof Error ? error.message : String(error);
  note(`internal error: ${message}`);
  return ExitCode.error;
}

/**
 * How a finished job exits a shell-like caller: its exit code, 128 + the signal's number for a
 * signal death (as a shell reports it), 1 when the outcome is unknown (`lost`).
 */
export function jobExitCode(job: WaitResult['jobs'][number]): number {
  if (job.exit_code !== null) return job.exit_code;
  if (job.signal !== null) {
    const number = constants.signals[job.signal as keyof typeof constants.signals];
    if (number !== undefined) return 128 + number;
  }
  return ExitCode.error;
}

/**
 * The exit code of a `wait`. Until exit: one job's own code; for several, 0 only if every ended
 * job completed. Until ready: 0 when every job is ready, 1 when one failed or ended first.
 */
export function waitExitCode(
  result: WaitResult,
  until: 'exit' | 'ready' | 'input' = 'exit',
): number {
  if (!result.done) return ExitCode.timeout;
  if (until !== 'exit') return result.fired === until ? ExitCode.ok : ExitCode.error;
  const [only, ...others] = result.jobs;
  if (only !== undefined && others.length === 0) return jobExitCode(only);
  const ended = result.jobs.filter((job) => job.status !== 'queued' && job.status !== 'running');
  return ended.every((job) => job.status === 'completed') ? ExitCode.ok : ExitCode.error;
}
