import { waitInputSchema, waitOutputSchema } from '../../api/control.js';
import { waitSummary } from '../outcome.js';
import { defineTool } from '../tool.js';

export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait for jobs to end, be ready or ask for input',
  description: [
    'Block until jobs end, instead of polling: status, exit code, last lines, `search` matches.',
    'until:"ready": a service is up.',
  ].join(' '),
  inputSchema: waitInputSchema,
  outputSchema: waitOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.wait(input, options),
  summarize: (result, input) => waitSummary(result, input.search),
});
