import { isListening, portsOf } from '../../procfs/ports.js';
import { procStat } from '../../procfs/proc.js';
import { parseInput } from '../../api/contract.js';
import { killInputSchema, type KillInput, type KillResult } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import type { JobRecord } from '../model.js';
import { resolveJob, type EngineContext } from '../context.js';
import { membersOf, signalJob } from '../../procfs/job-processes.js';
import { readCgroup } from '../../job-folder/run-files.js';
import { removeCgroupWhenEmpty } from '../../procfs/cgroup.js';
import { signalEach } from '../../procfs/escapees.js';
import type { ProcStat } from '../../procfs/proc.js';
import { jobEscapees } from '../runners/shell/job-escapees.js';

/**
 * `kill`: a queued job is dropped before it runs; a running one gets the signal on its whole
 * process group and session, then SIGKILL after the grace; an ended one is said to have ended
 * (and any background processes it left behind are stopped). Processes the job started that
 * left its process group and session (escapees) are ended with it. Reports which pids ended,
 * which of them were escapees, and which ports were freed.
 */
export async function killJob(
  ctx: Pick<EngineContext, 'store' | 'config' | 'stop' | 'folders'>,
  raw: KillInput,
): Promise<KillResult> {
  const input = parseInput(killInputSchema, raw);
  const job = resolveJob(ctx.store, input.job_id);
  const graceMs = (input.grace_s ?? ctx.config.killGraceS) * 1000;
  const escapees = jobEscapees(job, ctx.folders);
  const before = snapshot(job, escapees);
  if (isFinal(job.status)) {
    signalJob(job, input.signal);
    signalEach(escapees, input.signal);
    const after = await settle(before);
    await removeCgroupWhenEmpty(readCgroup(ctx.folders.paths(job.id)));
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
  const after = await settle(before);
  if (isFinal(ended.status)) await removeCgroupWhenEmpty(readCgroup(ctx.folders.paths(job.id)));
  return result(job, ended.status, after, false, escalated, message);
}

interface Snapshot {
  pids: { pid: number; start: number }[];
  escaped: number[];
  ports: number[];
}

function snapshot(job: JobRecord, escapees: readonly ProcStat[]): Snapshot {
  const members = membersOf(job).flatMap((pid) => {
    const start = procStat(pid)?.startTime;
    return start === undefined ? [] : [{ pid, start }];
  });
  const escaped = escapees.map((p) => ({ pid: p.pid, start: p.startTime }));
  const pids = [...members, ...escaped];
  return {
    pids,
    escaped: escaped.map((p) => p.pid),
    ports: portsOf(pids.map((p) => p.pid)),
  };
}

/** Which of the job's processes are gone, and which of its ports nobody listens on now. */
async function settle(
  before: Snapshot,
): Promise<{ killed: number[]; escaped: number[]; freed: number[] }> {
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
  const killed = before.pids.filter(gone).map((p) => p.pid);
  return {
    killed,
    escaped: before.escaped.filter((pid) => killed.includes(pid)),
    freed: before.ports.filter((port) => !isListening(port)),
  };
}

function result(
  job: JobRecord,
  status: KillResult['status'],
  { killed, escaped, freed }: { killed: number[]; escaped: number[]; freed: number[] },
  alreadyEnded: boolean,
  escalated: boolean,
  message: string,
): KillResult {
  const escapees =
    escaped.length > 0
      ? ` Ended ${escaped.length === 1 ? 'an escapee' : `${escaped.length} escapees`} (${escaped.join(', ')}): ${escaped.length === 1 ? 'a process' : 'processes'} it started that had left its process group and session.`
      : '';
  const ports =
    freed.length > 0 ? ` Freed port${freed.length > 1 ? 's' : ''} ${freed.join(', ')}.` : '';
  return {
    job_id: job.id,
    status,
    already_ended: alreadyEnded,
    escalated,
    killed_pids: killed,
    escaped_pids: escaped,
    freed_ports: freed,
    message: `${message}${escapees}${ports}`,
  };
}
