import { isListening, portsOf } from '../../procfs/ports.js';
import { procStat } from '../../procfs/proc.js';
import { parseInput } from '../../api/contract.js';
import { killInputSchema, type KillInput, type KillResult } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import type { JobRecord } from '../model.js';
import { resolveJob, type EngineContext } from '../context.js';
import { membersOf, signalJob } from '../../procfs/job-processes.js';

/**
 * `kill`: a queued job is dropped before it runs; a running one gets the signal on its whole
 * process group and session, then SIGKILL after the grace; an ended one is said to have ended
 * (and any background processes it left behind are stopped). Reports which pids ended and
 * which ports were freed.
 */
export async function killJob(
  ctx: Pick<EngineContext, 'store' | 'config' | 'stop'>,
  raw: KillInput,
): Promise<KillResult> {
  const input = parseInput(killInputSchema, raw);
  const job = resolveJob(ctx.store, input.job_id);
  const graceMs = (input.grace_s ?? ctx.config.killGraceS) * 1000;
  const before = snapshot(job);
  if (isFinal(job.status)) {
    signalJob(job, input.signal);
    const after = await settle(before);
    const extra =
      before.pids.length > 0
        ? ` Its leftover background processes (${before.pids.map((p) => p.pid).join(', ')}) were sent ${input.signal}.`
        : '';
    const message = `Job ${job.id} had already ended (${job.status}: ${job.reason ?? 'no reason recorded'}).${extra}`;
    return result(job, job.status, after, true, false, message);
  }
  const { escalated } = await ctx.stop(job, 'kill', input.signal, graceMs);
  const ended = resolveJob(ctx.store, job.id);
  const how =
    job.status === 'queued'
      ? 'it was queued and will not run'
      : job.kind === 'llm'
        ? 'its request to the model was aborted'
        : escalated
          ? `it ignored ${input.signal} for ${graceMs / 1000} s and was killed with SIGKILL`
          : `it stopped on ${input.signal}`;
  const message = isFinal(ended.status)
    ? `Job ${job.id} is ${ended.status}: ${how}.`
    : `Job ${job.id} was signalled but is still ${ended.status}; check status again.`;
  return result(job, ended.status, await settle(before), false, escalated, message);
}

interface Snapshot {
  pids: { pid: number; start: number }[];
  ports: number[];
}

function snapshot(job: JobRecord): Snapshot {
  const pids = membersOf(job);
  return {
    pids: pids.flatMap((pid) => {
      const start = procStat(pid)?.startTime;
      return start === undefined ? [] : [{ pid, start }];
    }),
    ports: portsOf(pids),
  };
}

/** Which of the job's processes are gone, and which of its ports nobody listens on now. */
async function settle(before: Snapshot): Promise<{ killed: number[]; freed: number[] }> {
  const gone = (p: { pid: number; start: number }): boolean => {
    const stat = procStat(p.pid);
    return stat === undefined || stat.startTime !== p.start || stat.state === 'Z';
  };
  // A listening socket closes with its last holder, a moment after the process ends.
  const deadline = Date.now() + 500;
  while (Date.now() < deadline && before.ports.some((port) => isListening(port))) {
    if (!before.pids.every(gone)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    killed: before.pids.filter(gone).map((p) => p.pid),
    freed: before.ports.filter((port) => !isListening(port)),
  };
}

function result(
  job: JobRecord,
  status: KillResult['status'],
  { killed, freed }: { killed: number[]; freed: number[] },
  alreadyEnded: boolean,
  escalated: boolean,
  message: string,
): KillResult {
  const ports =
    freed.length > 0 ? ` Freed port${freed.length > 1 ? 's' : ''} ${freed.join(', ')}.` : '';
  return {
    job_id: job.id,
    status,
    already_ended: alreadyEnded,
    escalated,
    killed_pids: killed,
    freed_ports: freed,
    message: `${message}${ports}`,
  };
}
