import { z } from 'zod';

import { JOB_STATUSES } from './job-status.js';

/**
 * The one typed API behind every client. The engine implements it in-process; the daemon
 * client implements it over the daemon's socket; the MCP tools and the CLI verbs are thin
 * adapters over it. The zod schemas here are the source of truth for what crosses a boundary:
 * the MCP tools use them as input and output schemas, the socket validates with them.
 */

// Ids are short and lowercase; names start with a letter and never look like an id.
export const JOB_ID_PATTERN = /^[a-z0-9]{8}$/;
export const JOB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

export { MAX_COMMAND_BYTES, MAX_WAIT_S } from './limits.js';

/** A job id, or the name of a job. Validated strictly before it is looked up. */
export const jobRefSchema = z.string().min(1).max(64);

export const streamSchema = z
  .enum(['stdout', 'stderr', 'both'])
  .default('both')
  .describe('Which stream.');

/** Scheduling options that every kind of job takes. */
export const schedulingShape = {
  priority: z.number().int().min(-1000).max(1000).default(0).describe('Higher starts first.'),
  after: z.array(jobRefSchema).max(100).default([]).describe('Jobs that must complete first.'),
  retries: retriesField(0),
};

/** Tries after a failure: commands default to none, prompts to a few (a provider's hiccups). */
export function retriesField(byDefault: number) {
  return z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(byDefault)
    .describe('Tries after a failure (backoff).');
}

export { JobStatus, JOB_STATUSES, LIVE_STATUSES, isFinal } from './job-status.js';
export const jobStatusSchema = z.enum(JOB_STATUSES);
