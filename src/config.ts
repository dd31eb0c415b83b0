import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { BgError, ErrorCode } from './api/errors.js';
import type { RedirectMode } from './engine/admission/redirects.js';

/**
 * Settings come from the environment, each under its `BGJOBS_*` name or the `MCP_BG_*` alias of
 * mcp-background-job. A bad value is an error at start, never a silent fallback.
 *
 * Daemon-wide settings (limits, caps, retention) take effect in the daemon, which reads them
 * from the environment of the client that started it. Caller settings (working directory,
 * allowlist, default timeout) travel with each request, so every client's own configuration
 * applies to the jobs it starts.
 */
export interface Config {
  home: string;
  maxJobs: number;
  maxLlmJobs: number;
  maxQueue: number;
  maxOutputBytes: number;
  maxTotalOutputBytes: number;
  jobTimeoutS: number | undefined;
  cleanupIntervalS: number;
  retentionS: number;
  idleTimeoutS: number;
  workingDir: string | undefined;
  allowedCommands: string[] | undefined;
  /** Where an allowlisted line's redirections may write (BGJOBS_ALLOW_REDIRECTS); default `cwd`. */
  allowRedirects: RedirectMode | undefined;
  killGraceS: number;
  llmIdleTimeoutS: number;
  /** Redis for workers on other machines (`on`); none: every job runs here. */
  redisUrl: string | undefined;
  /** A worker silent this long is gone, and its jobs lost. */
  workerTimeoutS: number;
  /** Run each job in a cgroup of its own where the system allows it (off: find escapees in /proc). */
  cgroups: boolean;
  /** Monitors kept started ahead of need, so a job's start spawns nothing (0: none). */
  spareMonitors: number;
  /** How long one search (or one test of a slow readiness or expect pattern) may run, in ms. */
  searchBudgetMs: number;
}

/** The part of the configuration that belongs to the caller and travels with its requests. */
export type CallerConfig = Pick<
  Config,
  'workingDir' | 'allowedCommands' | 'allowRedirects' | 'jobTimeoutS'
>;

type Env = Record<string, string | undefined>;

interface Setting<T> {
  names: string[];
  parse: (raw: string, name: string) => T;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Parses `10485760`, `20MB`, `1.5 GiB`. Sizes are binary (1 MB = 1024² bytes). */
export function parseSize(raw: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) {
    throw configError(name, raw, 'a size in bytes or with a unit, like 10485760 or 20MB');
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1024) throw configError(name, raw, 'at least 1024 bytes');
  return bytes;
}

function parseInteger(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw.trim());
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw configError(name, raw, `a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function parseSeconds(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw configError(name, raw, `seconds from ${min} to ${max}`);
    }
    return value;
  };
}

function parseRedisUrl(raw: string, name: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(raw.trim())) {
    throw configError(name, '(hidden)', 'redis://[user:]password@host:port, or rediss:// for TLS');
  }
  return raw.trim();
}

function parseDirectory(raw: string, name: string): string {
  if (raw.trim() === '') throw configError(name, raw, 'a directory path');
  return resolve(raw);
}

function parseAllowlist(raw: string, name: string): string[] {
  const patterns = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const pattern of patterns) {
    try {
      new RegExp(pattern);
    } catch {
      throw configError(name, raw, `comma-separated regular expressions ("${pattern}" is not one)`);
    }
  }
  if (patterns.length === 0) throw configError(name, raw, 'at least one regular expression');
  return patterns;
}

function parseSwitch(raw: string, name: string): boolean {
  if (/^(1|on|true|yes)$/i.test(raw)) return true;
  if (/^(0|off|false|no)$/i.test(raw)) return false;
  throw configError(name, raw, 'on or off');
}

// `1`/`0` read as on/off switches: any target, or none.
const REDIRECT_WORDS: Record<string, RedirectMode> = {
  cwd: 'cwd',
  any: 'any',
  '1': 'any',
  none: 'none',
  '0': 'none',
};

function parseRedirectMode(raw: string, name: string): RedirectMode {
  const mode = REDIRECT_WORDS[raw.trim().toLowerCase()];
  if (mode === undefined)
    throw configError(name, raw, 'cwd (the default), any (or 1), or none (or 0)');
  return mode;
}

function configError(name: string, raw: string, expected: string): BgError {
  return new BgError(
    ErrorCode.config,
    `Setting ${name}="${raw}" is not valid: expected ${expected}. Fix or unset it and start again.`,
    { data: { setting: name } },
  );
}

function read<T>(env: Env, setting: Setting<T>): T | undefined {
  for (const name of setting.names) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') return setting.parse(raw, name);
  }
  return undefined;
}

const DAY_S = 24 * 60 * 60;

export const SETTINGS = {
  home: { names: ['BGJOBS_HOME'], parse: parseDirectory },
  maxJobs: { names: ['BGJOBS_MAX_JOBS', 'MCP_BG_MAX_JOBS'], parse: parseInteger(1, 10_000) },
  maxLlmJobs: { names: ['BGJOBS_MAX_LLM_JOBS'], parse: parseInteger(1, 1000) },
  maxQueue: { names: ['BGJOBS_MAX_QUEUE'], parse: parseInteger(0, 100_000) },
  maxOutputBytes: {
    names: ['BGJOBS_MAX_OUTPUT', 'MCP_BG_MAX_OUTPUT_SIZE'],
    parse: parseSize,
  },
  maxTotalOutputBytes: { names: ['BGJOBS_MAX_TOTAL_OUTPUT'], parse: parseSize },
  jobTimeoutS: {
    names: ['BGJOBS_JOB_TIMEOUT', 'MCP_BG_JOB_TIMEOUT'],
    parse: parseInteger(1, 365 * DAY_S),
  },
  cleanupIntervalS: {
    names: ['BGJOBS_CLEANUP_INTERVAL', 'MCP_BG_CLEANUP_INTERVAL'],
    parse: parseInteger(1, DAY_S),
  },
  retentionS: { names: ['BGJOBS_RETENTION'], parse: parseInteger(0, 3650 * DAY_S) },
  idleTimeoutS: { names: ['BGJOBS_IDLE_TIMEOUT'], parse: parseInteger(0, DAY_S) },
  workingDir: { names: ['BGJOBS_WORKING_DIR', 'MCP_BG_WORKING_DIR'], parse: parseDirectory },
  allowedCommands: {
    names: ['BGJOBS_ALLOWED_COMMANDS', 'MCP_BG_ALLOWED_COMMANDS'],
    parse: parseAllowlist,
  },
  allowRedirects: { names: ['BGJOBS_ALLOW_REDIRECTS'], parse: parseRedirectMode },
  killGraceS: { names: ['BGJOBS_KILL_GRACE'], parse: parseInteger(0, 300) },
  llmIdleTimeoutS: { names: ['BGJOBS_LLM_IDLE_TIMEOUT'], parse: parseInteger(1, 3600) },
  redisUrl: { names: ['BGJOBS_REDIS_URL'], parse: parseRedisUrl },
  workerTimeoutS: { names: ['BGJOBS_WORKER_TIMEOUT'], parse: parseSeconds(0.2, DAY_S) },
  cgroups: { names: ['BGJOBS_CGROUPS'], parse: parseSwitch },
  spareMonitors: { names: ['BGJOBS_SPARE_MONITORS'], parse: parseInteger(0, 16) },
  searchBudgetMs: { names: ['BGJOBS_SEARCH_BUDGET_MS'], parse: parseInteger(1, 3_600_000) },
} as const satisfies Record<keyof Config, Setting<unknown>>;

export const DEFAULTS = {
  maxJobs: 10,
  maxLlmJobs: 4,
  maxQueue: 1000,
  maxOutputBytes: 10 * 1024 ** 2,
  maxTotalOutputBytes: 1024 ** 3,
  cleanupIntervalS: 300,
  retentionS: 7 * DAY_S,
  idleTimeoutS: 60,
  killGraceS: 5,
  llmIdleTimeoutS: 60,
  workerTimeoutS: 30,
  spareMonitors: 2,
  searchBudgetMs: 30_000,
} as const;

export function defaultHome(env: Env): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'bgjobs');
}

/** Reads every setting from `env`; throws a `config` BgError naming the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  return {
    home: read(env, SETTINGS.home) ?? defaultHome(env),
    maxJobs: read(env, SETTINGS.maxJobs) ?? DEFAULTS.maxJobs,
    maxLlmJobs: read(env, SETTINGS.maxLlmJobs) ?? DEFAULTS.maxLlmJobs,
    maxQueue: read(env, SETTINGS.maxQueue) ?? DEFAULTS.maxQueue,
    maxOutputBytes: read(env, SETTINGS.maxOutputBytes) ?? DEFAULTS.maxOutputBytes,
    maxTotalOutputBytes: read(env, SETTINGS.maxTotalOutputBytes) ?? DEFAULTS.maxTotalOutputBytes,
    jobTimeoutS: read(env, SETTINGS.jobTimeoutS),
    cleanupIntervalS: read(env, SETTINGS.cleanupIntervalS) ?? DEFAULTS.cleanupIntervalS,
    retentionS: read(env, SETTINGS.retentionS) ?? DEFAULTS.retentionS,
    idleTimeoutS: read(env, SETTINGS.idleTimeoutS) ?? DEFAULTS.idleTimeoutS,
    workingDir: read(env, SETTINGS.workingDir),
    allowedCommands: read(env, SETTINGS.allowedCommands),
    allowRedirects: read(env, SETTINGS.allowRedirects),
    killGraceS: read(env, SETTINGS.killGraceS) ?? DEFAULTS.killGraceS,
    llmIdleTimeoutS: read(env, SETTINGS.llmIdleTimeoutS) ?? DEFAULTS.llmIdleTimeoutS,
    redisUrl: read(env, SETTINGS.redisUrl),
    workerTimeoutS: read(env, SETTINGS.workerTimeoutS) ?? DEFAULTS.workerTimeoutS,
    cgroups: read(env, SETTINGS.cgroups) ?? true,
    spareMonitors: read(env, SETTINGS.spareMonitors) ?? DEFAULTS.spareMonitors,
    searchBudgetMs: searchBudgetMs(env),
  };
}

/** BGJOBS_SEARCH_BUDGET_MS (30 s by default); a bad value is a `config` error like any other. */
export function searchBudgetMs(env: Env): number {
  return read(env, SETTINGS.searchBudgetMs) ?? DEFAULTS.searchBudgetMs;
}

/**
 * BGJOBS_MCP_OUTPUT_SCHEMAS=1: the MCP server publishes each tool's output schema. Off by
 * default: every session pays for the listing, and the structured results come either way.
 */
export function mcpOutputSchemas(env: Env): boolean {
  return read(env, { names: ['BGJOBS_MCP_OUTPUT_SCHEMAS'], parse: parseSwitch }) ?? false;
}

/**
 * Whether this environment reaches workers on other machines: it has a BGJOBS_REDIS_URL (whether
 * it is a good one is for whoever connects with it to say).
 */
export function workersConfigured(env: Env): boolean {
  return SETTINGS.redisUrl.names.some((name) => (env[name] ?? '').trim() !== '');
}

export function callerConfig(config: Config): CallerConfig {
  return {
    workingDir: config.workingDir,
    allowedCommands: config.allowedCommands,
    allowRedirects: config.allowRedirects,
    jobTimeoutS: config.jobTimeoutS,
  };
}
