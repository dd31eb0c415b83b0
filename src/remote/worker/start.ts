import { mkdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import type { Redis } from 'ioredis';

import { isListening, portHolders } from '../../procfs/ports.js';
import type { RunPayload, WireKeys } from '../wire.js';
import { remoteJobEnv } from './job-env.js';
import { startRun } from './local-run.js';
import { promptCommand, promptRunEnv } from './prompt-run.js';
import { saveRecord, type RunRecord, type WorkerPaths } from './run-record.js';
import type { WorkerIdentity, WorkerRuns } from './runs.js';

/**
 * Claims a run for this worker in its hash, unless the daemon cancelled it first or another
 * worker has it (a claim BullMQ handed out twice after a stall): exactly one worker starts a
 * run, and a cancelled run never starts.
 */
const CLAIM = `
if redis.call('hexists', KEYS[1], 'cancel') == 1 then return 0 end
if redis.call('hsetnx', KEYS[1], 'worker', ARGV[1]) == 1 then return 1 end
return 0`;

export interface StartContext {
  redis: Redis;
  keys: WireKeys;
  paths: WorkerPaths;
  runs: WorkerRuns;
  payload: RunPayload;
  me: WorkerIdentity;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  defaultCwd: string;
  /** The bgjobs CLI this worker runs as (`dist/cli.js`): a prompt run is one of its commands. */
  cli: string;
  report: (message: string) => void;
}

/**
 * Starts one claimed run: records it on disk before the monitor exists (so a worker killed
 * mid-start finds it), starts it, says so on the run's event stream, and follows it.
 *
 * @returns false when the run was not this worker's to start.
 */
export async function startClaimed(context: StartContext): Promise<boolean> {
  const { redis, keys, paths, runs, payload, me } = context;
  const claimed = await redis.eval(CLAIM, 1, keys.run(payload.run), me.name);
  if (claimed !== 1) return false;
  const dir = paths.jobDir(payload.run);
  const pending: RunRecord = {
    payload,
    dir,
    startedAt: Date.now(),
    monitorPid: null,
    monitorStart: null,
    pid: null,
    pidStart: null,
    stop: null,
    startError: null,
    endSent: false,
    endedAt: null,
  };
  saveRecord(paths, pending);
  const record = await startOrFail(context, pending);
  saveRecord(paths, record);
  const announce = () =>
    runs.publish(payload, {
      type: 'start',
      worker: me.name,
      host: me.host,
      pid: record.pid,
      at: record.startedAt,
    });
  await runs.follow(record, record.startError === null ? announce : undefined);
  return true;
}

async function startOrFail(context: StartContext, pending: RunRecord): Promise<RunRecord> {
  const { payload } = context;
  const env = remoteJobEnv(payload, context.env, context.home);
  if ('missing' in env) {
    return {
      ...pending,
      startError: `could not start: the worker has no ${env.missing.join(', ')} in its environment (asked for by env_from_worker)`,
    };
  }
  const cwd = payload.cwd ?? context.defaultCwd;
  if (!isAbsolute(cwd)) {
    return {
      ...pending,
      startError: `could not start: the working directory ${cwd} is not absolute`,
    };
  }
  const taken = portTaken(payload.port, context.me.host);
  if (taken !== null) return { ...pending, startError: taken };
  const { llm } = payload;
  if (llm === null) return startRun(pending, env.env, cwd, payload.command);
  // A prompt: its provider settings are the worker's own, like the secrets of env_from_worker.
  try {
    mkdirSync(pending.dir, { recursive: true, mode: 0o700 });
    const command = promptCommand(pending.dir, llm, context.cli);
    return await startRun(pending, { ...env.env, ...promptRunEnv(context.env) }, cwd, command);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...pending, startError: `could not start the prompt: ${message}` };
  }
}

/** Why a declared PORT cannot be had on this host (who holds it), or null when it is free. */
function portTaken(port: number | null, host: string): string | null {
  if (port === null || !isListening(port)) return null;
  const holders = portHolders(port);
  const who =
    holders.length > 0
      ? holders.map((h) => `pid ${h.pid} (${h.command.slice(0, 120)})`).join(', ')
      : 'a process the worker cannot see (another user’s)';
  return `could not start: port ${port} is already in use on ${host} by ${who}`;
}
