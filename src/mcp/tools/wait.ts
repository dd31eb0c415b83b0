import { MAX_WAIT_S, waitInputSchema, waitOutputSchema } from '../../jobs/api.js';
import { isFinal } from '../../jobs/model.js';
import { describeStatus, formatDuration, jobLabel } from '../format.js';
import { defineTool } from '../tool.js';

export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait for jobs to end',
  description: [
    'Block until a job ends (or, with job_ids, all of several or any one with mode:"any"), for at',
    `most timeout_s seconds (up to ${MAX_WAIT_S}), then return the status and exit code of each.`,
    'Use it instead of polling `status` or `output`. On done:false the jobs are still running:',
    'call wait again, or do other work meanwhile. Sends progress notifications while it waits.',
  ].join(' '),
  inputSchema: waitInputSchema,
  outputSchema: waitOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.wait(input, options),
  summarize: (result) => {
    const waited = formatDuration(result.waited_ms);
    const jobs = result.jobs.map((job) => `${jobLabel(job)}: ${describeStatus(job)}`);
    if (result.done) {
      return [`Done after ${waited}:`, ...jobs].join('\n');
    }
    const live = result.jobs.filter((job) => !isFinal(job.status)).length;
    return [
      `Not done after ${waited}; ${live} still live:`,
      ...jobs,
      'Call wait again to keep waiting, or do other work meanwhile.',
    ].join('\n');
  },
});
