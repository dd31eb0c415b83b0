import { z } from 'zod';

import { inputObject } from '../api/strict.js';

import { AGENT_NAME_PATTERN } from './spec.js';

/** What agents' tools and verbs return; the inputs are in spec.ts (agent_start) and here. */
export const agentStateSchema = z.enum(['armed', 'running', 'paused', 'stopped', 'failed']);
export type AgentState = z.infer<typeof agentStateSchema>;

// Undescribed, like a job_id: the name says what it is.
const agentNameSchema = z.string().regex(AGENT_NAME_PATTERN, 'an agent name');

export const lastRunSchema = z.object({
  job_id: z.string(),
  status: z.string(),
  exit_code: z.number().nullable(),
  ended_at: z.string().nullable(),
});

export const agentInfoSchema = z.object({
  name: z.string(),
  state: agentStateSchema,
  kind: z.enum(['shell', 'llm']),
  action: z.string().describe('The command, or the prompt shortened, with its model.'),
  cwd: z.string(),
  triggers: z.array(z.string()),
  overlap: z.enum(['skip', 'queue', 'restart']),
  last_run: lastRunSchema.nullable(),
  next_run_at: z.string().nullable().describe('When a schedule fires next (null: none).'),
  runs: z.number().describe('Runs kept (see runs_kept).'),
  failures: z.number().describe('Failed runs in a row.'),
  error: z
    .string()
    .nullable()
    .describe('Why it failed to arm or stopped, or the last start error.'),
  warnings: z.array(z.string()).describe('E.g. a watch glob that matches no file yet.'),
  source: z.string().nullable().describe('The project file that declared it, if one did.'),
});
export type AgentInfo = z.infer<typeof agentInfoSchema>;

export const agentStartOutputSchema = z.object({
  name: z.string(),
  state: agentStateSchema,
  next_run_at: z.string().nullable(),
  replaced: z.boolean().describe('Whether an existing definition was replaced.'),
  existing: z
    .boolean()
    .describe('True when the same definition was already there (nothing changed).'),
  error: z.string().nullable(),
});
export type AgentStartResult = z.infer<typeof agentStartOutputSchema>;

export const agentListInputSchema = inputObject({
  name: agentNameSchema.optional(),
});
export type AgentListInput = z.input<typeof agentListInputSchema>;
export const agentListOutputSchema = z.object({ agents: z.array(agentInfoSchema) });
export type AgentListResult = z.infer<typeof agentListOutputSchema>;

export const agentStopInputSchema = inputObject({
  name: agentNameSchema,
  remove: z.boolean().default(false).describe('Delete it too.'),
  runs: z.boolean().default(false).describe('With remove: its runs too.'),
});
export type AgentStopInput = z.input<typeof agentStopInputSchema>;
export const agentStopOutputSchema = z.object({
  name: z.string(),
  state: z.union([agentStateSchema, z.literal('removed')]),
  removed_runs: z.number(),
  message: z.string(),
});
export type AgentStopResult = z.infer<typeof agentStopOutputSchema>;

export const agentNameInputSchema = z.object({ name: agentNameSchema });
export type AgentNameInput = z.input<typeof agentNameInputSchema>;

export const agentRunOutputSchema = z.object({
  name: z.string(),
  job_id: z
    .string()
    .nullable()
    .describe('The run started (null: one goes on and overlap said so).'),
  message: z.string(),
});
export type AgentRunResult = z.infer<typeof agentRunOutputSchema>;

export const upInputSchema = z.object({
  file: z.string().min(1).describe('The project file, an absolute path.'),
  text: z
    .string()
    .max(1024 * 1024)
    .describe("The file's text."),
});
export type UpInput = z.input<typeof upInputSchema>;

export const upOutputSchema = z.object({
  file: z.string(),
  steps: z.array(
    z.object({
      kind: z.enum(['service', 'agent']),
      name: z.string(),
      action: z.enum(['start', 'replace', 'leave', 'stop']),
      job_id: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  changed: z.boolean().describe('Whether anything was started, replaced or stopped.'),
});
export type UpResult = z.infer<typeof upOutputSchema>;

/** Each agent method's output schema, so a client can check what came back over a boundary. */
export const AGENT_OUTPUT_SCHEMAS = {
  agent_start: agentStartOutputSchema,
  agent_list: agentListOutputSchema,
  agent_stop: agentStopOutputSchema,
  agent_pause: agentInfoSchema,
  agent_resume: agentInfoSchema,
  agent_run: agentRunOutputSchema,
  up: upOutputSchema,
  down: upOutputSchema,
} as const;
