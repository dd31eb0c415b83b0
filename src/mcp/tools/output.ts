import { isFinal } from '../../api/job.js';
import { outputInputSchema, outputOutputSchema, type StreamRead } from '../../api/read.js';
import { outputBlock } from '../format.js';
import { formatBytes } from '../../present/words.js';
import { defineTool } from '../tool.js';

export const outputTool = defineTool({
  name: 'output',
  title: "Read a job's output",
  description: [
    "A job's output from a byte offset, or since your last read (new_only:true); next_offset goes",
    'on.',
  ].join(' '),
  inputSchema: outputInputSchema,
  outputSchema: outputOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.output(input, options),
  summarize: (result, input) => {
    const empty = input.new_only ? 'nothing new' : 'empty';
    const ranges = [
      range('stdout', result.stdout_read),
      range('stderr', result.stderr_read),
    ].filter((r) => r !== undefined);
    const lines = [`Job ${result.job_id} (${result.status}): ${ranges.join('; ')}.`];
    if (result.position === 'reset') lines.push(RESET_NOTE);
    if (result.stdout_read) lines.push(outputBlock('stdout', result.stdout, empty));
    if (result.stderr_read) lines.push(outputBlock('stderr', result.stderr, empty));
    if (result.more) {
      const offsets = [
        result.stdout_read?.more ? `stdout_offset: ${result.stdout_read.next_offset}` : undefined,
        result.stderr_read?.more ? `stderr_offset: ${result.stderr_read.next_offset}` : undefined,
      ].filter((o) => o !== undefined);
      lines.push(
        `More output exists: call output again with new_only: true, or ${offsets.join(' and ')}.`,
      );
    } else {
      lines.push(
        isFinal(result.status)
          ? 'That is all of its output.'
          : 'That is all so far; the job is still live.',
      );
    }
    return lines.join('\n');
  },
});

const RESET_NOTE =
  'Your read position was reset: this MCP server could not be matched to the one you read with before (another server of your client holds this project), so this read starts at the oldest kept output and may repeat what you saw.';

function range(label: string, read: StreamRead | null): string | undefined {
  if (read === null) return undefined;
  const dropped = read.dropped > 0 ? `, oldest ${formatBytes(read.dropped)} dropped` : '';
  const skipped = read.skipped > 0 ? `, then ${read.skipped} bytes skipped to start at a line` : '';
  return `${label} bytes ${read.start}–${read.next_offset} of ${read.size}${dropped}${skipped}`;
}
