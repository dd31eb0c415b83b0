import { z } from 'zod';

import type { CallerConfig } from '../config.js';
import { REDIRECT_MODES } from '../engine/admission/redirects.js';

/**
 * The process a `lifetime: "session"` job belongs to: an MCP server, by its pid and the start
 * time the kernel gives it (in clock ticks), so a recycled pid never keeps its jobs alive.
 */
export const ownerSchema = z.object({
  pid: z.number().int().positive(),
  start: z.number().int().nonnegative(),
});
export type Owner = z.infer<typeof ownerSchema>;

/** Who is calling: a job inherits the caller's environment and working directory. */
export const callerSchema = z.object({
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  workingDir: z.string().optional(),
  allowedCommands: z.array(z.string()).optional(),
  allowRedirects: z.enum(REDIRECT_MODES).optional(),
  jobTimeoutS: z.number().optional(),
  /**
   * A prompt whose model name cannot be resolved is admitted and fails, with the reason in its
   * status, instead of being refused (the background-agent profile: the system it replaces did).
   */
  lateModelErrors: z.boolean().optional(),
  /** Names whose read position `output` with `new_only` follows (one per MCP server, say). */
  reader: z.string().max(200).default('default'),
  /** The MCP session a `lifetime: "session"` job belongs to. */
  owner: ownerSchema.optional(),
  /**
   * The MCP client a stdio server serves (its name from initialize): with `owner`, `new_only`
   * read positions follow this client in its project across restarts of its server.
   */
  client: z.string().max(200).optional(),
  /** The client's roots (folders), for scoping jobs to a project. */
  roots: z.array(z.string()).max(100).optional(),
});
export type Caller = z.input<typeof callerSchema>;

/** This process as a caller: its working directory and environment, and the settings it has. */
export function defaultCaller(config: CallerConfig): Caller {
  return {
    cwd: process.cwd(),
    env: stringEnv(process.env),
    workingDir: config.workingDir,
    allowedCommands: config.allowedCommands,
    allowRedirects: config.allowRedirects,
    jobTimeoutS: config.jobTimeoutS,
    reader: 'default',
  };
}

/** An environment with its unset entries left out. */
export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
