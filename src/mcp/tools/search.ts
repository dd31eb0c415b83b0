import {
  searchInputSchema,
  searchOutputSchema,
  type SearchMatch,
  type SearchResult,
} from '../../api/read.js';
import { formatBytes } from '../../present/words.js';
import { defineTool } from '../tool.js';

export const searchTool = defineTool({
  name: 'search',
  title: "Search a job's output",
  description: "A job's output lines matching a regex, numbered, with context.",
  inputSchema: searchInputSchema,
  outputSchema: searchOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  call: (api, input, options) => api.search(input, options),
  summarize: (result, input) => {
    const count = result.matches.length;
    const pattern = `/${input.pattern}/${input.ignore_case ? 'i' : ''}`;
    const note = droppedNote(result);
    if (count === 0)
      return `No line matches ${pattern} in job ${result.job_id} (${result.status}).${note}`;
    const head = `${count}${result.truncated ? '+' : ''} match${count === 1 ? '' : 'es'} for ${pattern} in job ${result.job_id} (${result.status}):`;
    const body = result.matches.map(formatMatch).join('\n--\n');
    const tail = result.truncated
      ? `\nMore matches exist than max_matches (${input.max_matches}).`
      : '';
    return `${head}\n${body}${tail}${note}`;
  },
});

/** What a search of capped output could not see, and how its lines are numbered. */
function droppedNote(result: SearchResult): string {
  if (result.whole_output) return '';
  const numbering =
    result.line_numbers === 'absolute'
      ? "line numbers count from the job's first line"
      : 'line numbers count from the first kept line (the dropped lines could not be counted)';
  return `\nThe oldest ${formatBytes(result.dropped_bytes)} of output were dropped by the cap and not searched; ${numbering}.`;
}

/** grep -n style: `stdout:12: text` for the match, `stdout:11- text` for context. */
function formatMatch(match: SearchMatch): string {
  const first = match.line - match.before.length;
  return [
    ...match.before.map((text, i) => `${match.stream}:${first + i}- ${text}`),
    `${match.stream}:${match.line}: ${match.text}`,
    ...match.after.map((text, i) => `${match.stream}:${match.line + 1 + i}- ${text}`),
  ].join('\n');
}
