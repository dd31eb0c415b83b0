import { waitInputSchema, waitOutputSchema } from '../../api/control.js';
import { MAX_WAIT_S } from '../../api/job.js';
import { waitSummary } from '../outcome.js';
import { defineTool } from '../tool.js';

export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait for jobs to end, be ready or ask for input',
  description: [
    'Block until a job ends (with job_ids: all of them, or the first with mode:"any"), at most',
    `timeout_s (up to ${MAX_WAIT_S}); each job comes back with its status, exit code and last`,
    'lines (tail_lines), and the lines matching `search` (e.g. "FAIL|Error"). Use it instead of',
    'polling status or output. until:"ready": until a service is ready (its `ready` condition);',
    'until:"input": until it waits for input (answer with interact). `fired` says what ended the',
    'wait. On done:false the jobs go on: call wait again, or do other work meanwhile.',
  ].join(' '),
  inputSchema: waitInputSchema,
  outputSchema: waitOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.wait(input, options),
  summarize: (result, input) => waitSummary(result, input.search),
});
