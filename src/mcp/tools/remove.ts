import { removeInputSchema, removeOutputSchema } from '../../api/control.js';
import { defineTool } from '../tool.js';

export const removeTool = defineTool({
  name: 'remove',
  title: 'Delete a job',
  description: 'Delete an ended job and its output.',
  inputSchema: removeInputSchema,
  // The message is the text's, said once: the structured content has the facts.
  outputSchema: removeOutputSchema.omit({ message: true }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  call: (api, input, options) => api.remove(input, options),
  summarize: (result) => result.message,
});
