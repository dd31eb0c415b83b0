import { killInputSchema, killOutputSchema } from '../../jobs/api.js';
import { defineTool } from '../tool.js';

export const killTool = defineTool({
  name: 'kill',
  title: 'Stop a job',
  description: [
    'Stop a job: send `signal` (default SIGTERM) to its whole process group, then SIGKILL once',
    'grace_s has passed if anything is still alive. It ends as `killed`. A queued job is cancelled;',
    'a job that already ended is left as it is. Stop the jobs you started once you no longer need them.',
  ].join(' '),
  inputSchema: killInputSchema,
  outputSchema: killOutputSchema,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => api.kill(input, options),
  summarize: (result) => result.message,
});
