import { BgError, ErrorCode } from '../../api/errors.js';
import { defaultCaller } from '../../api/caller.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { prepareJob } from '../admission/prepare.js';
import { executeInputSchema, type ExecuteInput, type ExecuteResult } from '../../api/start.js';
import { isListening, portHolders } from '../../procfs/ports.js';
import { membersOf } from '../../procfs/job-processes.js';
import type { EngineContext } from '../context.js';
import type { RemoteSpec } from '../../api/specs.js';
import type { z } from 'zod';
import { admitJob, type AdmitContext } from './admit.js';

/**
 * `execute`: checks the request and works out what the command runs with, refuses a declared
 * port that is taken on this machine (a worker checks a remote job's on its own), then admits
 * the job (see admit.ts: a live name returns that job, or is
 * replaced).
 */
export async function executeJob(
  ctx: AdmitContext,
  raw: ExecuteInput,
  options: CallOptions,
): Promise<ExecuteResult> {
  const input = parseInput(executeInputSchema, raw);
  const remote = remoteSpecOf(ctx, input);
  // A remote job's cwd is a directory on its worker: it is not looked for here.
  const local = remote === null ? input : { ...input, cwd: undefined };
  const prepared = prepareJob(local, options.caller ?? defaultCaller(ctx.config), ctx.config);
  return admitJob(
    ctx,
    prepared,
    {
      kind: remote === null ? 'shell' : 'remote',
      priority: input.priority,
      after: input.after,
      retries: input.retries,
      llm: null,
      remote,
    },
    {
      replace: input.replace,
      // A remote job's port is a fact of its worker's host: the worker checks it there.
      beforeQueue: () => {
        if (prepared.port !== null && remote === null) assertPortFree(ctx, prepared.port);
      },
    },
  );
}

/** What a job with `on` runs with on its worker; null for a job of this machine. */
function remoteSpecOf(
  ctx: Pick<EngineContext, 'config'>,
  input: z.output<typeof executeInputSchema>,
): RemoteSpec | null {
  if (input.on === undefined) {
    if (input.env_from_worker !== undefined) {
      throw new BgError(ErrorCode.invalidInput, 'env_from_worker needs on: name the worker label.');
    }
    return null;
  }
  if (ctx.config.redisUrl === undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      `No worker can be reached: this daemon has no BGJOBS_REDIS_URL. Set it (and restart the daemon) to run jobs on "${input.on}", or leave out on.`,
    );
  }
  return {
    on: input.on,
    cwd: input.cwd ?? null,
    env_from_worker: input.env_from_worker ?? [],
    worker: null,
    base: null,
    kind: 'shell',
  };
}

/** A declared port must be free; the error names who holds it, a bgjobs job if one does. */
function assertPortFree(ctx: Pick<EngineContext, 'store'>, port: number): void {
  if (!isListening(port)) return;
  const holders = portHolders(port);
  const running = ctx.store.withStatus(['running']);
  const owner = running.find((job) =>
    membersOf(job).some((pid) => holders.some((h) => h.pid === pid)),
  );
  const who = owner
    ? `job ${owner.id}${owner.name ? ` ("${owner.name}")` : ''}: ${owner.command.slice(0, 120)}`
    : holders.length > 0
      ? holders.map((h) => `pid ${h.pid} (${h.command.slice(0, 120)})`).join(', ')
      : 'a process bgjobs cannot see (another user’s)';
  throw new BgError(
    ErrorCode.invalidInput,
    `Port ${port} is already in use by ${who}. Stop it first${owner ? ` (kill ${owner.id})` : ''}, or pick another port.`,
    { data: { port, ...(owner ? { job_id: owner.id } : {}) } },
  );
}
