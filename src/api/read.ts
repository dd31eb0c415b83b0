import { z } from 'zod';
import { inputObject } from './strict.js';
import { jobRefSchema, jobStatusSchema, streamSchema } from './job.js';
import { DEFAULT_READ_BYTES, MAX_READ_BYTES } from './limits.js';

// ── output / tail / search ─────────────────────────────────────────────────────────────────
export { DEFAULT_READ_BYTES, MAX_READ_BYTES } from './limits.js';

export const outputInputSchema = inputObject({
  job_id: jobRefSchema,
  stream: streamSchema,
  stdout_offset: z.number().int().min(0).optional().describe('From a next_offset.'),
  stderr_offset: z.number().int().min(0).optional().describe('As stdout_offset.'),
  new_only: z.boolean().default(false).describe('What is new since your last read.'),
  max_bytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_READ_BYTES)
    .default(DEFAULT_READ_BYTES)
    .describe('Per stream.'),
  raw: z.boolean().default(false).describe('Keep ANSI escapes and \\r lines.'),
  screen: z.boolean().default(false).describe('pty job: also its screen.'),
});
export type OutputInput = z.input<typeof outputInputSchema>;

export const streamReadSchema = z.object({
  start: z.number().describe('Byte offset of the first byte returned.'),
  next_offset: z.number().describe('Pass this as the offset to continue reading.'),
  size: z.number().describe('Bytes written to the stream so far.'),
  dropped: z.number().describe('Oldest bytes no longer kept (per-stream cap).'),
  more: z.boolean().describe('Whether more output exists after next_offset.'),
  skipped: z
    .number()
    .describe('Kept bytes skipped after the dropped part so that the page starts at a line.'),
});
export type StreamRead = z.infer<typeof streamReadSchema>;

export const outputOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  stdout_read: streamReadSchema.nullable(),
  stderr_read: streamReadSchema.nullable(),
  more: z.boolean().describe('Whether either stream has more to read.'),
  position: z
    .enum(['continued', 'start', 'reset'])
    .nullable()
    .describe(
      'With new_only: continued from your last read; start: you had not read this job; reset: your earlier reads (before an MCP server restart) could not be matched, so this starts over.',
    ),
  screen: z.string().nullable().describe('The terminal screen, when asked for on a pty job.'),
});
export type OutputResult = z.infer<typeof outputOutputSchema>;

export const tailInputSchema = inputObject({
  job_id: jobRefSchema,
  lines: z.number().int().min(1).max(10_000).default(20),
  stream: streamSchema,
  raw: z.boolean().default(false).describe('Keep ANSI escapes and \\r lines.'),
});
export type TailInput = z.input<typeof tailInputSchema>;

export const tailOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean().describe('True when the lines asked for were longer than a read allows.'),
  screen: z
    .string()
    .nullable()
    .describe('For a pty job: the visible terminal screen (full-screen programs read best so).'),
});
export type TailResult = z.infer<typeof tailOutputSchema>;

export const searchInputSchema = inputObject({
  job_id: jobRefSchema,
  pattern: z.string().min(1).max(1000).describe('JavaScript regex.'),
  ignore_case: z.boolean().default(false).describe('Case-insensitive.'),
  stream: streamSchema,
  context: z.number().int().min(0).max(20).default(2).describe('Lines around each match.'),
  max_matches: z.number().int().min(1).max(500).default(50).describe('At most this many.'),
});
export type SearchInput = z.input<typeof searchInputSchema>;

export const searchMatchSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  line: z.number().describe('1-based line number in the stream (see line_numbers).'),
  offset: z.number().describe('Byte offset of the line in the stream.'),
  text: z.string(),
  before: z.array(z.string()),
  after: z.array(z.string()),
});
export type SearchMatch = z.infer<typeof searchMatchSchema>;

export const searchOutputSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  matches: z.array(searchMatchSchema),
  truncated: z.boolean().describe('True when there were more matches than max_matches.'),
  dropped_bytes: z
    .number()
    .describe('Oldest output bytes no longer kept (per-stream cap), so not searched.'),
  whole_output: z.boolean().describe('True when the search covered all output (none dropped).'),
  line_numbers: z
    .enum(['absolute', 'relative'])
    .describe(
      "absolute: counted from the job's first line, dropped lines included; relative: from the first kept line.",
    ),
});
export type SearchResult = z.infer<typeof searchOutputSchema>;
