import { tailInputSchema, tailOutputSchema } from '../../api/read.js';
import { outputBlock } from '../format.js';
import { defineTool } from '../tool.js';

export const tailTool = defineTool({
  name: 'tail',
  title: "Last lines of a job's output",
  description: ["The last lines of a job's output; for a pty job, its screen."].join(' '),
  inputSchema: tailInputSchema,
  outputSchema: tailOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.tail(input, options),
  summarize: (result, input) => {
    const last = input.lines === 1 ? 'Last line' : `Last ${input.lines} lines`;
    if (result.screen !== null) {
      return [
        `Job ${result.job_id} (${result.status}). Its terminal screen:`,
        outputBlock('screen', result.screen, 'blank'),
      ].join('\n');
    }
    const lines = [`Job ${result.job_id} (${result.status}). ${last}:`];
    if (input.stream !== 'stderr') lines.push(outputBlock('stdout', result.stdout, 'empty'));
    if (input.stream !== 'stdout') lines.push(outputBlock('stderr', result.stderr, 'empty'));
    if (result.truncated)
      lines.push('Truncated: those lines are longer than one read; use output to page.');
    return lines.join('\n');
  },
});
