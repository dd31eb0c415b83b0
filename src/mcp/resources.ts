import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
  ResourceTemplate,
  type Variables,
} from '@modelcontextprotocol/server';

import { ErrorCode, isBgError, toBgError } from '../api/errors.js';
import type { CallOptions } from '../api/contract.js';
import type { TailResult } from '../api/read.js';
import { describeStatus, jobLabel, outputBlock } from './format.js';
import { JOB_URI_TEMPLATE, JOBS_URI, jobUri, OUTPUT_URI_TEMPLATE } from './resource-uris.js';
import type { ToolDeps } from './tool.js';

/** The output resource shows this many last lines of each stream… */
export const OUTPUT_LINES = 200;
/** …and at most this many characters of each (the end kept). */
export const OUTPUT_MAX_CHARS = 64 * 1024;
const LISTED_JOBS = 50;
const COMPLETION_JOBS = 100;

const JSON_TYPE = 'application/json';

/**
 * Registers the bgjobs resources: `bgjobs://jobs` (the `list` result for every project, as JSON),
 * `bgjobs://jobs/{id}` (the `status` result, as JSON) and `bgjobs://jobs/{id}/output` (the last
 * lines of its output, as text). `{id}` is a job id or name, completed from the recent jobs. An
 * unknown job is a resource-not-found error.
 */
export function registerResources(server: McpServer, deps: ToolDeps): void {
  const options = (): CallOptions => ({ caller: deps.caller });
  const complete = { id: (prefix: string) => completeJobRef(deps, prefix) };

  server.registerResource(
    'jobs',
    JOBS_URI,
    {
      title: 'All jobs',
      description:
        "Every project's jobs, the newest 50 first: the `list` result with all:true, as JSON.",
      mimeType: JSON_TYPE,
    },
    (uri) =>
      read(deps, uri.href, async () =>
        json(uri.href, await deps.api.list({ all: true }, options())),
      ),
  );

  server.registerResource(
    'job',
    new ResourceTemplate(JOB_URI_TEMPLATE, {
      list: async () => {
        const { jobs } = await deps.api.list({ all: true, limit: LISTED_JOBS }, options());
        return {
          resources: jobs.map((job) => ({
            uri: jobUri(job.job_id),
            name: job.name ?? job.job_id,
            title: `Job ${jobLabel(job)}`,
            description: `${describeStatus(job)}: ${job.command}`,
            mimeType: JSON_TYPE,
          })),
        };
      },
      complete,
    }),
    {
      title: 'Job status',
      description:
        "One job's full state (the `status` result), as JSON. {id} is its job_id or name. Subscribe to hear when it changes instead of polling.",
      mimeType: JSON_TYPE,
    },
    (uri, variables) =>
      read(deps, uri.href, async () =>
        json(uri.href, await deps.api.status({ job_id: refOf(variables) }, options())),
      ),
  );

  server.registerResource(
    'job-output',
    new ResourceTemplate(OUTPUT_URI_TEMPLATE, { list: undefined, complete }),
    {
      title: 'Job output',
      description: `The last ${OUTPUT_LINES} lines of a job's stdout and stderr (the screen, for a pty job), as text. Subscribe to hear when it grows (at most once a second).`,
      mimeType: 'text/plain',
    },
    (uri, variables) =>
      read(deps, uri.href, async () => {
        const tail = await deps.api.tail(
          { job_id: refOf(variables), lines: OUTPUT_LINES },
          options(),
        );
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: outputText(tail) }] };
      }),
  );
}

/** The job's output as one text: the screen of a pty job, else the tail of each stream. */
export function outputText(tail: TailResult): string {
  const head = `Job ${tail.job_id} (${tail.status})`;
  if (tail.screen !== null)
    return `${head}: its terminal screen.\n${outputBlock('screen', tail.screen, 'blank')}`;
  const lines = [`${head}: the last ${OUTPUT_LINES} lines of its output.`];
  lines.push(outputBlock('stdout', clipStart(tail.stdout), 'empty'));
  lines.push(outputBlock('stderr', clipStart(tail.stderr), 'empty'));
  if (tail.truncated) lines.push('Those lines are long: only their end is shown.');
  return lines.join('\n');
}

function clipStart(text: string): string {
  return text.length <= OUTPUT_MAX_CHARS ? text : `…${text.slice(-OUTPUT_MAX_CHARS)}`;
}

function json(uri: string, value: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(value, null, 2) }] };
}

function refOf(variables: Variables): string {
  const id = variables.id;
  const raw = Array.isArray(id) ? (id[0] ?? '') : (id ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Reads through the API. A job that does not exist is "resource not found" (invalid params, as
 * the 2026-07-28 revision asks); anything else is an internal error carrying bgjobs' message.
 */
async function read(
  deps: ToolDeps,
  uri: string,
  reader: () => Promise<ReadResourceResult>,
): Promise<ReadResourceResult> {
  try {
    return await reader();
  } catch (error) {
    const bgError = toBgError(error);
    if (bgError.code === ErrorCode.notFound || bgError.code === ErrorCode.invalidInput) {
      throw new ResourceNotFoundError(uri, bgError.message);
    }
    if (!isBgError(error)) deps.logError(`reading ${uri} failed unexpectedly`, error);
    throw new ProtocolError(ProtocolErrorCode.InternalError, bgError.message);
  }
}

/** Job ids and names starting with `prefix`, from the most recent jobs of every project. */
async function completeJobRef(deps: ToolDeps, prefix: string): Promise<string[]> {
  try {
    const { jobs } = await deps.api.list(
      { all: true, limit: COMPLETION_JOBS },
      { caller: deps.caller },
    );
    const refs = new Set<string>();
    for (const job of jobs) {
      if (job.job_id.startsWith(prefix)) refs.add(job.job_id);
      if (job.name?.startsWith(prefix)) refs.add(job.name);
    }
    return [...refs];
  } catch (error) {
    // A completion is a convenience: without the daemon there is simply nothing to offer.
    if (!isBgError(error)) deps.logError('completing a job id failed', error);
    return [];
  }
}
