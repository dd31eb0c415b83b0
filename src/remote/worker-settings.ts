import { hostname } from 'node:os';

import type { z } from 'zod';

import { BgError, describeZodError, ErrorCode } from '../api/errors.js';
import { checkRedisUrl } from './redis-url.js';
import { labelSchema, workerNameSchema } from './wire.js';

/** What `bgjobs worker` is told, from its flags or else its environment. */
export interface WorkerFlags {
  redis?: string | undefined;
  labels?: string | undefined;
  concurrency?: string | undefined;
  name?: string | undefined;
}

export interface WorkerSettings {
  redisUrl: URL;
  labels: string[];
  concurrency: number;
  name: string;
  heartbeatMs: number;
}

const DEFAULT_CONCURRENCY = 10;

/**
 * The worker's settings: `--redis` or BGJOBS_REDIS_URL, `--labels` or BGJOBS_WORKER_LABELS,
 * `--concurrency` or BGJOBS_WORKER_CONCURRENCY (10), `--name` or BGJOBS_WORKER_NAME (the host
 * name), and BGJOBS_WORKER_HEARTBEAT_MS (2000). A bad value is a `config` error naming it.
 */
export function workerSettings(
  flags: WorkerFlags,
  env: Readonly<Record<string, string | undefined>>,
): WorkerSettings {
  const rawUrl = flags.redis ?? env.BGJOBS_REDIS_URL;
  if (rawUrl === undefined || rawUrl === '') {
    throw new BgError(
      ErrorCode.config,
      'A worker needs Redis: pass --redis redis://:password@host:6379 or set BGJOBS_REDIS_URL.',
    );
  }
  const redisUrl = checkRedisUrl(
    rawUrl,
    flags.redis === undefined ? 'BGJOBS_REDIS_URL' : '--redis',
  );
  const rawLabels = flags.labels ?? env.BGJOBS_WORKER_LABELS ?? '';
  const labels = [
    ...new Set(
      rawLabels
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
    ),
  ];
  if (labels.length === 0) {
    throw new BgError(
      ErrorCode.config,
      'A worker needs at least one label: pass --labels gpu,linux or set BGJOBS_WORKER_LABELS.',
    );
  }
  return {
    redisUrl,
    labels: labels.map((label) => check(labelSchema, label, '--labels')),
    concurrency:
      integer(flags.concurrency ?? env.BGJOBS_WORKER_CONCURRENCY, '--concurrency', 1, 10_000) ??
      DEFAULT_CONCURRENCY,
    name: check(workerNameSchema, flags.name ?? env.BGJOBS_WORKER_NAME ?? defaultName(), '--name'),
    heartbeatMs:
      integer(env.BGJOBS_WORKER_HEARTBEAT_MS, 'BGJOBS_WORKER_HEARTBEAT_MS', 50, 60_000) ?? 2000,
  };
}

/** The host name, made a valid worker name. */
function defaultName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return name.slice(0, 63) || 'worker';
}

function check<T>(schema: z.ZodType<T>, value: string, name: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BgError(
    ErrorCode.config,
    `${name} "${value}" is not valid: ${describeZodError(parsed.error)}.`,
  );
}

function integer(
  raw: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new BgError(
      ErrorCode.config,
      `${name} "${raw}" is not valid: expected a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** How long the daemon waits for a silent worker before its jobs are lost: BGJOBS_WORKER_TIMEOUT (s). */
export function workerTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const seconds = env.BGJOBS_WORKER_TIMEOUT;
  if (seconds === undefined || seconds === '') return 30_000;
  const value = Number(seconds);
  if (!Number.isFinite(value) || value < 0.2 || value > 86_400) {
    throw new BgError(
      ErrorCode.config,
      `Setting BGJOBS_WORKER_TIMEOUT="${seconds}" is not valid: expected seconds from 0.2 to 86400.`,
    );
  }
  return Math.round(value * 1000);
}
