/**
 * What the listing may cost a session, in KiB (issue 10): the whole `tools/list` result, and the
 * part a model reads. test/mcp/tools-listing*.test.ts fail above them; the bench reports both.
 */
export const LISTING_BUDGET_KB = { whole: 16, modelFacing: 10 };

/** A tool as tools/list gives it, as far as its size goes. */
interface ListedTool {
  name: string;
  description?: string;
  inputSchema: unknown;
}

/**
 * What a tool listing costs a session, in bytes of JSON: the whole listing, and the part a model
 * reads (names, descriptions and input schemas).
 */
export function listingBytes(tools: readonly ListedTool[]): { whole: number; modelFacing: number } {
  const modelFacing = tools.reduce(
    (bytes, tool) =>
      bytes +
      Buffer.byteLength(tool.name) +
      Buffer.byteLength(tool.description ?? '') +
      Buffer.byteLength(JSON.stringify(tool.inputSchema)),
    0,
  );
  return { whole: Buffer.byteLength(JSON.stringify({ tools })), modelFacing };
}
