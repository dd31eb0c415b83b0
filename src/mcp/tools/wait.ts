import { waitInputSchema, waitOutputSchema, type WaitResult } from '../../api/control.js';
import { MAX_WAIT_S, isFinal } from '../../api/job.js';
import { clip, describeStatus, formatDuration, jobLabel } from '../../present/words.js';
import { defineTool } from '../tool.js';

const FIRED = {
  ready: 'ready',
  input: 'waiting for input',
  failed_pattern: 'its failure pattern matched',
  exited: 'ended',
  timeout: 'timed out',
} as const;

export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait for jobs to end, be ready or ask for input',
  description: [
    'Block until a job ends (or, with job_ids, all of several or any one with mode:"any"), for at',
    `most timeout_s seconds (up to ${MAX_WAIT_S}), then return the status and exit code of each.`,
    'Use it instead of polling `status` or `output`. With until:"ready" it returns once a service',
    'is ready (its `ready` condition met; running, for a job without one): use that instead of',
    'sleeping after starting a dev server. With until:"input" it returns once the job waits for',
    "input (an installer's question, a password prompt): answer it with interact. `fired` says",
    'what ended the wait (ready, input, failed_pattern, exited, timeout) and `match` the output',
    'line that did. On done:false the',
    'jobs are still running: call wait again, or do other work meanwhile. Sends progress',
    'notifications while it waits.',
  ].join(' '),
  inputSchema: waitInputSchema,
  outputSchema: waitOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.wait(input, options),
  summarize: (result) => {
    const waited = formatDuration(result.waited_ms);
    const jobs = result.jobs.map(describeJob);
    if (result.done) {
      return [`Done after ${waited} (${FIRED[result.fired]}):`, ...jobs].join('\n');
    }
    const live = result.jobs.filter((job) => !isFinal(job.status)).length;
    return [
      `Not done after ${waited}; ${live} still live:`,
      ...jobs,
      'Call wait again to keep waiting, or do other work meanwhile.',
    ].join('\n');
  },
});

function describeJob(job: WaitResult['jobs'][number]): string {
  const fired = job.fired === null || job.fired === 'exited' ? '' : `, ${FIRED[job.fired]}`;
  const match = job.match === null ? '' : ` on "${clip(job.match, 120)}"`;
  return `${jobLabel(job)}: ${describeStatus(job)}${fired}${match}`;
}
