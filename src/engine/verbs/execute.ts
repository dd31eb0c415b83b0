import { BgError, ErrorCode } from '../../api/errors.js';
import { isListening, portHolders } from '../../procfs/ports.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { isFinal } from '../../api/job.js';
import { executeInputSchema, type ExecuteInput, type ExecuteResult } from '../../api/start.js';
import type { JobRecord } from '../model.js';
import type { Engine } from '../engine.js';
import { newJobId } from '../admission/ids.js';
import { defaultCaller, prepareJob, type PreparedJob } from '../admission/prepare.js';

/**
 * `execute`: checks the request, returns the live job of that name instead of starting it twice
 * (or stops it first, with `replace`), refuses a declared port that is taken, then queues the
 * job and starts it if a slot is free.
 */
export async function executeJob(
  engine: Engine,
  raw: ExecuteInput,
  options: CallOptions,
): Promise<ExecuteResult> {
  const input = parseInput(executeInputSchema, raw);
  const prepared = prepareJob(input, options.caller ?? defaultCaller(engine.config), engine.config);
  let replaced: string | null = null;
  if (prepared.name !== null) {
    const live = liveNamed(engine, prepared.name);
    if (live && !input.replace) return { ...result(engine, live), existing: true };
    if (live) {
      await engine.kill({ job_id: live.id });
      replaced = live.id;
    }
    // Another request may have taken the name while the old job was stopping.
    const taken = liveNamed(engine, prepared.name);
    if (taken) {
      throw new BgError(
        ErrorCode.nameTaken,
        `A live job is already named "${prepared.name}" (${taken.id}, ${taken.status}). Use it, kill it, or pick another name.`,
        { data: { job_id: taken.id } },
      );
    }
  }
  if (prepared.port !== null) assertPortFree(engine, prepared.port);
  const { maxQueue, maxJobs } = engine.config;
  if (engine.store.countByStatus('queued') >= maxQueue) {
    throw new BgError(
      ErrorCode.limitReached,
      `The queue is full (${maxQueue} jobs waiting for one of ${maxJobs} slots). Wait for jobs to finish or kill some, then try again.`,
    );
  }
  const job = newJobRecord(engine, prepared, {
    kind: 'shell',
    priority: input.priority,
    after: resolveAfter(engine, input.after),
    retries: input.retries,
    llm: null,
  });
  engine.makeDir(job.id);
  engine.store.insert(job);
  const started = await engine.pump(job.id);
  return { ...result(engine, started ?? engine.store.get(job.id) ?? job), replaced };
}

/** A new queued job: what the request prepared, and everything else at its starting value. */
export function newJobRecord(
  engine: Engine,
  prepared: PreparedJob,
  extra: Pick<JobRecord, 'kind' | 'priority' | 'after' | 'retries' | 'llm'>,
): JobRecord {
  return {
    id: newJobId(),
    ...prepared,
    ...extra,
    status: 'queued',
    createdAt: Date.now(),
    startedAt: null,
    endedAt: null,
    pid: null,
    pidStart: null,
    monitorPid: null,
    monitorStart: null,
    exitCode: null,
    signal: null,
    reason: null,
    stopRequest: null,
    maxOutputBytes: engine.config.maxOutputBytes,
    stdinClosed: false,
    stdoutBytes: 0,
    stderrBytes: 0,
    logsEvicted: false,
    readyState: prepared.ready === null ? null : 'pending',
    readyAt: null,
    readyMatch: null,
    runs: 0,
    unstableRestarts: 0,
    restartDelayMs: 0,
    runStartedAt: null,
    nextRestartAt: null,
    lastExitCode: null,
    lastSignal: null,
    attempt: 1,
    retryAt: null,
    llmResult: null,
  };
}

/** The jobs a new job comes after, by id; each must exist (an id or a name). */
export function resolveAfter(engine: Engine, refs: readonly string[]): string[] {
  return [...new Set(refs.map((ref) => engine.resolve(ref).id))];
}

function result(engine: Engine, job: JobRecord): ExecuteResult {
  return {
    job_id: job.id,
    name: job.name,
    status: job.status,
    pid: job.pid,
    queue_position: job.status === 'queued' ? engine.queuePosition(job) : null,
    existing: false,
    replaced: null,
  };
}

function liveNamed(engine: Engine, name: string): JobRecord | undefined {
  const job = engine.store.findByName(name);
  return job && !isFinal(job.status) ? job : undefined;
}

/** A declared port must be free; the error names who holds it, a bgjobs job if one does. */
function assertPortFree(engine: Engine, port: number): void {
  if (!isListening(port)) return;
  const holders = portHolders(port);
  const running = engine.store.withStatus(['running']);
  const owner = running.find((job) =>
    engine.supervisor.members(job).some((pid) => holders.some((h) => h.pid === pid)),
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
