import { killInputSchema, killOutputSchema } from '../../api/control.js';
import { defineTool } from '../tool.js';

export const killTool = defineTool({
  name: 'kill',
  title: 'Stop a job',
  description: [
    'Stop a job and all it started; says which pids ended and ports freed. Stop the jobs you',
    'started when done.',
  ].join(' '),
  inputSchema: killInputSchema,
  // The message is the text's, said once: the structured content has the facts.
  outputSchema: killOutputSchema.omit({ message: true }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => api.kill(input, options),
  summarize: (result) => {
    const pids = result.killed_pids;
    if (pids.length === 0) return result.message;
    return `${result.message} Ended process${pids.length > 1 ? 'es' : ''} ${pids.join(', ')}.`;
  },
});
