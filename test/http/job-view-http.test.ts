// Proves: over Streamable HTTP, on both protocol eras, a client that declares MCP Apps finds the
// job view linked from execute, status and wait and reads it as HTML; one that does not finds
// no link and no resource.
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { JOB_VIEW_URI } from '../../src/mcp/job-view.js';
import { ERAS, openHttp, type Era, type HttpHarness } from './harness.js';

const APPS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } };

let h: HttpHarness | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await h?.close();
  h = undefined;
});

async function connect(harness: HttpHarness, era: Era, apps: boolean): Promise<Client> {
  const client = new Client(
    { name: 'bgjobs-apps-test', version: '0.0.0' },
    {
      ...(era === 'modern' && { versionNegotiation: { mode: { pin: '2026-07-28' } } }),
      ...(apps && { capabilities: APPS }),
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', harness.url), {
      requestInit: { headers: { Authorization: `Bearer ${harness.token}` } },
    }),
  );
  clients.push(client);
  return client;
}

describe.each(ERAS)('the job view over HTTP, %s era', (era) => {
  it('is linked and readable for an MCP Apps client only', async () => {
    h = await openHttp();
    const apps = await connect(h, era, true);
    const plain = await connect(h, era, false);
    const linked = (await apps.listTools()).tools
      .filter((tool) => tool._meta?.ui !== undefined)
      .map((tool) => tool.name);
    expect(linked.sort()).toEqual(['execute', 'status', 'wait']);
    const read = await apps.readResource({ uri: JOB_VIEW_URI });
    expect(read.contents[0]?.mimeType).toBe(RESOURCE_MIME_TYPE);
    expect((await plain.listTools()).tools.every((tool) => tool._meta === undefined)).toBe(true);
    const { resources } = await plain.listResources();
    expect(resources.map((resource) => resource.uri)).not.toContain(JOB_VIEW_URI);
  });
});
