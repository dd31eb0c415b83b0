import { removeInputSchema, removeOutputSchema } from '../../api/control.js';
import { defineTool } from '../tool.js';

export const removeTool = defineTool({
  name: 'remove',
  title: 'Delete a job',
  description: [
    'Delete a job that has ended, with its output logs. A live job is refused unless force:true,',
    'which kills it first. Ended jobs are also removed automatically after the retention period.',
  ].join(' '),
  inputSchema: removeInputSchema,
  outputSchema: removeOutputSchema,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => api.remove(input, options),
  summarize: (result) => result.message,
});
