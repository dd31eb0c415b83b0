import { BgError, ErrorCode } from '../../api/errors.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { executeInputSchema, type ExecuteInput, type ExecuteResult } from '../../api/start.js';
import { isListening, portHolders } from '../../procfs/ports.js';
import { membersOf } from '../../procfs/job-processes.js';
import { defaultCaller, prepareJob } from '../admission/prepare.js';
import type { EngineContext } from '../context.js';
import { admitJob, type AdmitContext } from './admit.js';

/**
 * `execute`: checks the request and works out what the command runs with, refuses a declared
 * port that is taken, then admits the job (see admit.ts: a live name returns that job, or is
 * replaced).
 */
export async function executeJob(
  ctx: AdmitContext,
  raw: ExecuteInput,
  options: CallOptions,
): Promise<ExecuteResult> {
  const input = parseInput(executeInputSchema, raw);
  const prepared = prepareJob(input, options.caller ?? defaultCaller(ctx.config), ctx.config);
  return admitJob(
    ctx,
    prepared,
    {
      kind: 'shell',
      priority: input.priority,
      after: input.after,
      retries: input.retries,
      llm: null,
    },
    {
      replace: input.replace,
      beforeQueue: () => {
        if (prepared.port !== null) assertPortFree(ctx, prepared.port);
      },
    },
  );
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
