import { waitInputSchema, waitOutputSchema } from '../../api/control.js';
import { waitSummary } from '../outcome.js';
import { defineTool } from '../tool.js';

export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait for jobs to end, be ready or ask for input',
  description: [
    'Block until jobs end (mode:"any": the first), up to timeout_s: status, exit code, last',
    'lines, `search` matches. Instead of polling. until:"ready": a service is up; "input": it',
    'asks for input. done:false: call again.',
  ].join(' '),
  inputSchema: waitInputSchema,
  outputSchema: waitOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.wait(input, options),
  summarize: (result, input) => waitSummary(result, input.search),
});
