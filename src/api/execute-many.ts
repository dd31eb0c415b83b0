import { parseInput, type CallOptions, type JobsApi } from './contract.js';
import { BgError, ErrorCode, isBgError } from './errors.js';
import { isFinal } from './job.js';
import {
  executeInputSchema,
  executeManyInputSchema,
  type ExecuteInput,
  type ExecuteManyInput,
  type ExecuteManyResult,
  type ExecuteResult,
} from './start.js';

/**
 * `execute` as an agent wants it: one job or several (`jobs`), and with `wait_s` the wait that
 * would have been the next call — so a short command, or "start it and tell me when it is
 * ready", is one call. Built on the API alone: each job is an ordinary `execute`, the wait an
 * ordinary `wait`, so what comes back is exactly what those calls would have said.
 *
 * @example
 * await executeMany(api, { command: 'npm test', wait_s: 30, search: 'FAIL' });
 * // { job_id, status: 'failed', …, wait: { done: true, jobs: [{ exit_code: 1, output: { matches } }] } }
 */
export async function executeMany(
  api: JobsApi,
  raw: ExecuteManyInput,
  options: CallOptions,
): Promise<ExecuteManyResult> {
  const input = parseInput(executeManyInputSchema, raw);
  const { jobs, wait_s, wait_until, tail_lines, search, ...shared } = input;
  if (search !== undefined && wait_s === 0) {
    throw new BgError(
      ErrorCode.invalidInput,
      'search looks in the output of jobs that ended while execute waited: give wait_s too.',
    );
  }
  const requests = requestsOf(jobs, shared);
  if (wait_s > 0 && wait_until === 'ready' && requests.some((r) => r.ready === undefined)) {
    throw new BgError(
      ErrorCode.invalidInput,
      'wait_until:"ready" needs a readiness condition: give ready ({pattern, port or url}), or leave out wait_until to wait for the end.',
    );
  }
  const started = await startAll(api, requests, options);
  const single = jobs === undefined;
  const result: ExecuteManyResult = single ? { ...started[0] } : { jobs: started };
  if (wait_s === 0) return result;
  const wait = await api.wait(
    {
      job_ids: started.map((job) => job.job_id),
      until: wait_until,
      timeout_s: wait_s,
      tail_lines,
      search,
    },
    options,
  );
  // What was said at the start is brought up to date: status and pid are the jobs' now.
  for (const [i, job] of started.entries()) {
    const now = wait.jobs[i];
    if (now !== undefined && now.job_id === job.job_id) {
      job.status = now.status;
      if (isFinal(now.status)) job.pid = null;
    }
  }
  return single ? { ...started[0], wait } : { jobs: started, wait };
}

/** The execute requests: `command` alone, or each of `jobs` over the fields beside it. */
function requestsOf(
  jobs: Record<string, unknown>[] | undefined,
  shared: Omit<ExecuteInput, 'command'> & { command?: string | undefined },
): ExecuteInput[] {
  if (jobs === undefined) {
    if (shared.command === undefined) {
      throw new BgError(ErrorCode.invalidInput, 'Pass command, or jobs with one or more jobs.');
    }
    return [{ ...shared, command: shared.command }];
  }
  if (shared.command !== undefined || shared.name !== undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      'With jobs, give command and name inside each job, not beside jobs.',
    );
  }
  // Every job is checked before any starts: one bad entry starts nothing.
  return jobs.map((job, i) => {
    try {
      return parseInput(executeInputSchema, { ...shared, ...job });
    } catch (error) {
      if (!isBgError(error)) throw error;
      throw new BgError(error.code, `jobs[${i}]: ${error.message}`, { cause: error });
    }
  });
}

/** Starts the jobs in order; if one is refused, the error names the ones already started. */
async function startAll(
  api: JobsApi,
  requests: ExecuteInput[],
  options: CallOptions,
): Promise<ExecuteResult[]> {
  const started: ExecuteResult[] = [];
  for (const [i, request] of requests.entries()) {
    try {
      started.push(await api.execute(request, options));
    } catch (error) {
      if (!isBgError(error) || requests.length === 1) throw error;
      const ids = started.map((job) => job.job_id).join(', ');
      const already = started.length === 0 ? 'none started' : `already started: ${ids}`;
      throw new BgError(error.code, `jobs[${i}] was refused (${already}): ${error.message}`, {
        cause: error,
        data: { started: started.map((job) => job.job_id) },
      });
    }
  }
  return started;
}
