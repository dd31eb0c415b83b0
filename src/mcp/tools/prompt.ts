import { executeOutputSchema, promptInputSchema } from '../../api/start.js';
import { jobLabel } from '../../present/words.js';
import { defineTool } from '../tool.js';

export const promptTool = defineTool({
  name: 'prompt',
  title: 'Ask a model in the background',
  description:
    'Ask an LLM as a background job; the answer is its stdout. Then `wait` and `output`.',
  inputSchema: promptInputSchema,
  outputSchema: executeOutputSchema,
  // It sends the prompt to a model provider over the network and spends tokens.
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  workerFields: ['on'],
  call: (api, input, options) => api.prompt(input, options),
  summarize: (job) => {
    const id = `job_id "${job.job_id}"`;
    if (job.status === 'queued') {
      return `Queued prompt ${jobLabel(job)}; it starts when a slot or its dependencies allow. Use wait or output with ${id}.`;
    }
    return `Prompt job ${jobLabel(job)} is ${job.status}. Use wait, then output with ${id} for the answer.`;
  },
});
