import { z } from 'zod';
import { defaultUnlisted, inputObject } from './strict.js';

/** The shapes of a job's options that the store keeps too: readiness, restarts, terminal. */

export const portSchema = z.number().int().min(1).max(65535);

/** A readiness condition: any one of pattern, port, url makes the job ready. */
export const readySpecSchema = inputObject({
  pattern: z.string().min(1).max(1000).optional(),
  port: portSchema.optional(),
  url: z
    .string()
    .url()
    .refine((u) => /^https?:/i.test(u), 'an http:// or https:// URL')
    .optional(),
  fail_pattern: z.string().min(1).max(1000).optional(),
}).refine((r) => r.pattern !== undefined || r.port !== undefined || r.url !== undefined, {
  message: 'give at least one of pattern, port or url',
});
export type ReadySpec = z.infer<typeof readySpecSchema>;

export const restartSpecSchema = inputObject({
  policy: z.enum(['no', 'on-failure', 'always']),
  max_restarts: z.number().int().min(0).max(1000).default(16),
  min_uptime_s: z.number().min(0).max(3600).default(1),
  stop_exit_codes: z.array(z.number().int().min(0).max(255)).max(50).default([]),
});
export type RestartSpec = z.infer<typeof restartSpecSchema>;

// Its size by default is said where it is used (execute's pty).
export const ptySizeSchema = inputObject({
  cols: defaultUnlisted(z.number().int().min(10).max(1000).default(120)),
  rows: defaultUnlisted(z.number().int().min(5).max(500).default(40)),
});

/** What an LLM job asks: the model (resolved `provider:model`), the prompt and its parameters. */
export const llmSpecSchema = z.object({
  model: z.string(),
  prompt: z.string(),
  system: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
});
export type LlmSpec = z.infer<typeof llmSpecSchema>;

/** What an LLM job's answer cost, once it is known. */
export const llmResultSchema = z.object({
  finish_reason: z.string().nullable(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  latency_ms: z.number().nullable(),
});
export type LlmResult = z.infer<typeof llmResultSchema>;

/**
 * A job that runs on a worker (`on`): its label, the cwd it asked for there, the variables the
 * worker supplies, which worker took it, and where its run's output starts in the job's files.
 */
export const remoteSpecSchema = z.object({
  on: z.string(),
  cwd: z.string().nullable(),
  env_from_worker: z.array(z.string()),
  worker: z.object({ name: z.string(), host: z.string() }).nullable(),
  base: z.object({ stdout: z.number(), stderr: z.number() }).nullable(),
  /** What runs there: a shell command, or a prompt (its `llm` travels to the worker). */
  kind: z.enum(['shell', 'llm']).default('shell'),
  /** Which run of the job its worker has now (its key in Redis); absent before the first. */
  seq: z.number().int().optional(),
  /** The TCP ports its run listens on, as its worker last reported them (a declared port). */
  ports: z.array(z.number().int()).optional(),
});
export type RemoteSpec = z.infer<typeof remoteSpecSchema>;
