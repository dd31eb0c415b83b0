// Figure: what the tool listing costs a session's context (issue 10, item 14), as a real MCP
// client over stdio receives it from `bgjobs mcp` with the default settings.
import { LISTING_BUDGET_KB, listingBytes } from '../test/helpers/listing-size.js';
import { cleanupHome, makeHome, startAndConnect } from './home.js';
import { mcpClient } from './mcp-client.js';
import type { Figure } from './report.js';

/**
 * Lists the tools once and sizes the answer: the whole result as JSON, and the model-facing
 * part — each tool's name, description and input schema, as test/mcp/tools-listing.test.ts
 * counts them (titles, annotations and the JSON around them are for the client).
 */
export async function measureToolListing(): Promise<Figure[]> {
  const bench = makeHome('listing');
  const { client: daemon } = await startAndConnect(bench);
  const { client, transport } = mcpClient(bench);
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const { whole, modelFacing } = listingBytes(tools);
    const details = `${tools.length} tools; ${whole} and ${modelFacing} bytes`;
    return [
      {
        id: 'tool_listing_kb',
        label: 'tools/list over MCP stdio, whole',
        value: whole / 1024,
        unit: 'KB',
        target: { kind: 'max', limit: LISTING_BUDGET_KB.whole, on: 'value' },
        details,
      },
      {
        id: 'tool_listing_model_kb',
        label: 'tools/list: names, descriptions, input schemas',
        value: modelFacing / 1024,
        unit: 'KB',
        target: { kind: 'max', limit: LISTING_BUDGET_KB.modelFacing, on: 'value' },
        details,
      },
    ];
  } finally {
    // Ends `bgjobs mcp`, then the daemon and the home.
    await client.close().catch(() => undefined);
    await cleanupHome(bench, daemon);
  }
}
