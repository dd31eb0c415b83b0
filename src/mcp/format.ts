/** How MCP summaries show a block of job output. */

/** A labelled block of job output, or a note that the stream had nothing to show. */
export function outputBlock(label: string, text: string, emptyNote: string): string {
  if (text === '') return `--- ${label}: ${emptyNote} ---`;
  return `--- ${label} ---\n${text.endsWith('\n') ? text.slice(0, -1) : text}`;
}
