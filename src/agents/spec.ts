import { Cron } from 'croner';
import { z } from 'zod';

import { inputObject } from '../api/strict.js';

import { parseInterval } from './duration.js';

/**
 * What defines an agent: its action (a shell command or a prompt) and its triggers. This one
 * schema serves `agent_start`, the CLI and `[agents.NAME]` tables of a project file.
 */
export const AGENT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

export const DEFAULT_DEBOUNCE_MS = 300;
export const DEFAULT_RUNS_KEPT = 20;

const globList = z.union([z.string().min(1), z.array(z.string().min(1)).max(100)]);

export const overlapSchema = z.enum(['skip', 'queue', 'restart']);
export const missedSchema = z.enum(['skip', 'run_once']);

/** The fields an agent is defined by (without `replace`, which is a request option). */
export const agentShape = {
  name: z
    .string()
    .regex(AGENT_NAME_PATTERN, 'a letter, then letters, digits, ".", "_", ":" or "-" (64 at most)'),
  command: z
    .string()
    .min(1)
    .max(64 * 1024)
    .optional(),
  prompt: z
    .string()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe('Or a prompt ({{changed}}: the paths) for model.'),
  model: z.string().min(1).max(200).optional().describe('provider:model.'),
  cwd: z.string().min(1).optional().describe('Where runs start; globs are relative to it.'),
  env: z.record(z.string(), z.string()).optional(),
  timeout_s: z.number().int().positive().max(86_400).optional().describe('Per run.'),
  watch: globList.optional().describe('Globs, e.g. ["src/**/*.ts"].'),
  ignore: globList.optional().describe('Globs to ignore (.git, node_modules always).'),
  debounce_ms: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(DEFAULT_DEBOUNCE_MS)
    .describe('A burst within this makes one run.'),
  every: z.string().optional().describe('E.g. "30s", "5m", "1h".'),
  cron: z.string().optional().describe('E.g. "0 3 * * *".'),
  tz: z.string().optional().describe('IANA zone for cron.'),
  on_start: z.boolean().default(false).describe('Run once when armed.'),
  overlap: overlapSchema.default('skip').describe('A trigger during a run: queue keeps one.'),
  missed: missedSchema.default('skip').describe('A schedule missed while down.'),
  runs_kept: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULT_RUNS_KEPT)
    .describe('Older runs are removed.'),
  stop_after_failures: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Failures in a row that stop it.'),
};

function checkAgent(spec: AgentSpecFields, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string): void =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  if ((spec.command === undefined) === (spec.prompt === undefined)) {
    issue('command', 'give either command or prompt (with model), not both and not neither');
  }
  if (spec.command !== undefined && spec.model !== undefined)
    issue('model', 'model goes with prompt, not command');
  const triggers = [spec.watch, spec.every, spec.cron].filter((t) => t !== undefined).length;
  if (triggers === 0 && !spec.on_start) {
    issue('watch', 'give at least one trigger: watch, every, cron or on_start');
  }
  if (spec.every !== undefined) {
    try {
      parseInterval(spec.every);
    } catch (error) {
      issue('every', (error as Error).message);
    }
  }
  if (spec.tz !== undefined && spec.cron === undefined) issue('tz', 'tz goes with cron');
  if (spec.cron !== undefined) {
    const problem = cronProblem(spec.cron, spec.tz);
    if (problem) issue('cron', problem);
  }
}

/** Why a cron expression (in a time zone) is invalid, or undefined when it is fine. */
export function cronProblem(expression: string, tz?: string): string | undefined {
  try {
    // croner takes an unknown zone silently; Intl knows the IANA names.
    if (tz !== undefined) new Intl.DateTimeFormat('en', { timeZone: tz });
    new Cron(expression, { timezone: tz, paused: true }).stop();
    return undefined;
  } catch (error) {
    return `invalid cron "${expression}"${tz ? ` in ${tz}` : ''}: ${(error as Error).message}`;
  }
}

const fieldsSchema = z.object(agentShape).strict();
type AgentSpecFields = z.output<typeof fieldsSchema>;

/** An agent's definition, as stored and as a project file declares it. */
export const agentSpecSchema = fieldsSchema.superRefine(checkAgent);
export type AgentSpec = z.output<typeof agentSpecSchema>;
export type AgentSpecInput = z.input<typeof agentSpecSchema>;

/** `agent_start`'s input: a definition, and whether to replace a live agent of that name. */
export const agentStartInputSchema = inputObject({
  ...agentShape,
  replace: z.boolean().default(false).describe('Redefine an existing agent.'),
}).superRefine(checkAgent);
export type AgentStartInput = z.input<typeof agentStartInputSchema>;

/** The patterns of a glob list, always as an array. */
export function globsOf(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** A short description of an agent's triggers: `watch src/**, every 5m`. */
export function describeTriggers(spec: AgentSpec): string[] {
  const triggers: string[] = [];
  if (spec.watch !== undefined) triggers.push(`watch ${globsOf(spec.watch).join(' ')}`);
  if (spec.every !== undefined) triggers.push(`every ${spec.every}`);
  if (spec.cron !== undefined) triggers.push(`cron ${spec.cron}${spec.tz ? ` (${spec.tz})` : ''}`);
  if (spec.on_start) triggers.push('on_start');
  return triggers;
}
