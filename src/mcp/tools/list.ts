import { listInputSchema, listOutputSchema } from '../../api/listing.js';
import { clip, describeStatus, jobLabel } from '../../present/words.js';
import { defineTool } from '../tool.js';

export const listTool = defineTool({
  name: 'list',
  title: 'List jobs',
  description: [
    "This project's jobs, newest first, with outcome (all:true: every project's); finds yours",
    'after a restart.',
  ].join(' '),
  inputSchema: listInputSchema,
  outputSchema: listOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.list(input, options),
  summarize: ({ jobs, total, project, other_projects: others }) => {
    const elsewhere = others ? [elsewhereNote(others)] : [];
    if (jobs.length === 0) {
      const here = project === null ? '' : ` in project ${project}`;
      const none = total === 0 ? `No jobs match${here}.` : `No jobs shown (${total} match).`;
      return [none, ...elsewhere].join(' ');
    }
    const head =
      jobs.length === total
        ? `${total} job${total === 1 ? '' : 's'}, newest first:`
        : `${jobs.length} of ${total} jobs, newest first:`;
    const lines = jobs.map(
      (job) => `${jobLabel(job)}  ${describeStatus(job)}  ${clip(job.command)}`,
    );
    return [head, ...lines, ...elsewhere].join('\n');
  },
});

function elsewhereNote(count: number): string {
  const jobs = count === 1 ? '1 job' : `${count} jobs`;
  return `${jobs} of other projects match too: call list with all: true to see them.`;
}
