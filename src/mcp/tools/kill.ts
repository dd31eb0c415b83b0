import { killInputSchema, killOutputSchema } from '../../api/control.js';
import { defineTool } from '../tool.js';

export const killTool = defineTool({
  name: 'kill',
  title: 'Stop a job',
  description: [
    'Stop a job: send `signal` (default SIGTERM) to its whole process group, then SIGKILL once',
    'grace_s has passed if anything is still alive. It ends as `killed`. A queued job is cancelled;',
    'a job that already ended is left as it is; a service with a `restart` policy stays stopped.',
    'It reports the processes it ended (killed_pids) and the ports it freed (freed_ports).',
    'Stop the jobs you started once you no longer need them.',
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
  summarize: (result) => {
    const pids = result.killed_pids;
    if (pids.length === 0) return result.message;
    return `${result.message} Ended process${pids.length > 1 ? 'es' : ''} ${pids.join(', ')}.`;
  },
});
