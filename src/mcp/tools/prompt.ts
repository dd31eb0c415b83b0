import { executeOutputSchema, promptInputSchema } from '../../api/start.js';
import { jobLabel } from '../format.js';
import { defineTool } from '../tool.js';

export const promptTool = defineTool({
  name: 'prompt',
  title: 'Ask a model in the background',
  description: [
    'Hand a prompt to another model (a cheaper one, a local one, a second opinion) as a background',
    "job and return at once with its job_id. The answer streams into the job's output: `wait` for",
    'it to end, then `output` (or `tail` while it grows); `status` shows finish_reason, usage and',
    'latency. model is provider:model (anthropic:…, openai:…, google:…, ollama:…,',
    'openai-compatible:<model>@<base URL>); a missing key is an error now, not later. It survives',
    'this chat ending; `kill` aborts the request. priority, after (job ids) and retries work as for',
    'execute.',
  ].join(' '),
  inputSchema: promptInputSchema,
  outputSchema: executeOutputSchema,
  // It sends the prompt to a model provider over the network and spends tokens.
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  call: (api, input, options) => api.prompt(input, options),
  summarize: (job) => {
    const id = `job_id "${job.job_id}"`;
    if (job.status === 'queued') {
      return `Queued prompt ${jobLabel(job)}; it starts when a slot or its dependencies allow. Use wait or output with ${id}.`;
    }
    return `Prompt job ${jobLabel(job)} is ${job.status}. Use wait, then output with ${id} for the answer.`;
  },
});
