import { parseInput } from '../../api/contract.js';
import { removeInputSchema, type RemoveInput, type RemoveResult } from '../../api/control.js';
import { BgError, ErrorCode } from '../../api/errors.js';
import { isFinal } from '../../api/job.js';
import { resolveJob } from '../context.js';
import type { AdmitContext } from './admit.js';
import { killJob } from './kill.js';

/** `remove`: forgets an ended job and deletes its logs; a live one only with `force` (killed first). */
export async function removeJob(ctx: AdmitContext, raw: RemoveInput): Promise<RemoveResult> {
  const input = parseInput(removeInputSchema, raw);
  let job = resolveJob(ctx.store, input.job_id);
  if (!isFinal(job.status)) {
    if (!input.force) {
      throw new BgError(
        ErrorCode.stillRunning,
        `Job ${job.id} is ${job.status}. Stop it with \`kill\` first, or \`remove\` it with force to do both.`,
      );
    }
    await killJob(ctx, { job_id: job.id });
    job = resolveJob(ctx.store, job.id);
  }
  const freed = ctx.folders.bytesOnDisk(job.id);
  ctx.folders.remove(job.id);
  ctx.store.delete(job.id);
  return {
    job_id: job.id,
    removed: true,
    freed_bytes: freed,
    message: `Removed job ${job.id} and its logs.`,
  };
}
