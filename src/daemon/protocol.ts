import { z } from 'zod';

import { AGENT_METHODS } from '../agents/contract.js';
import { callerSchema } from '../api/caller.js';
import { API_METHODS, jobEventSchema } from '../api/contract.js';

/**
 * The daemon's socket protocol: newline-delimited JSON. A client sends requests; the daemon
 * answers each with exactly one result or error, and may send progress lines before it.
 * A client may cancel a request it no longer waits for.
 */
export const CONTROL_METHODS = ['ping', 'shutdown', 'watch'] as const;
export const METHODS = [...API_METHODS, ...AGENT_METHODS, ...CONTROL_METHODS] as const;
export type Method = (typeof METHODS)[number];

export const requestSchema = z.object({
  id: z.number().int(),
  method: z.enum(METHODS),
  params: z.unknown(),
  caller: callerSchema.partial({ reader: true }).optional(),
});
export type Request = z.infer<typeof requestSchema>;

export const cancelSchema = z.object({ id: z.number().int(), cancel: z.literal(true) });

export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const responseSchema = z.union([
  z.object({ id: z.number().int(), result: z.unknown() }),
  z.object({ id: z.number().int(), error: errorSchema }),
  z.object({ id: z.number().int(), event: jobEventSchema }),
  z.object({
    id: z.number().int(),
    progress: z.object({
      progress: z.number(),
      total: z.number().optional(),
      message: z.string().optional(),
    }),
  }),
]);
export type Response = z.infer<typeof responseSchema>;

export const pingResultSchema = z.object({
  pid: z.number(),
  version: z.string(),
  home: z.string(),
  started_at: z.string(),
  running_jobs: z.number(),
  queued_jobs: z.number(),
  settings: z.record(z.string(), z.unknown()),
  /** Where the daemon serves HTTP (MCP and the dashboard), when it does. */
  http_url: z.string().nullable().default(null),
});
export type PingResult = z.infer<typeof pingResultSchema>;

export { MAX_LINE_BYTES, oversizedMessage } from './lines.js';
