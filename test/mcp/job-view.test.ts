// Proves, on both protocol eras: a client that declares MCP Apps (the `io.modelcontextprotocol/ui`
// extension with its HTML type) finds `ui://bgjobs/job.html` linked from execute, status and wait
// (and no other tool), listed as a resource and readable as one self-contained HTML page; a
// client that does not sees the tools exactly as before (no `_meta`, the same listing bytes but
// for the link), no such resource, and the same text and structured content from execute.
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { afterEach, describe, expect, it } from 'vitest';

import { JOB_VIEW_URI } from '../../src/mcp/job-view.js';
import { ERAS, type Harness, openHarness, textOf } from './harness.js';

const APPS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } };

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function client(era: (typeof ERAS)[number], apps: boolean): Promise<Harness> {
  const h = await openHarness(era, apps ? { capabilities: APPS } : {});
  open.push(h);
  return h;
}

describe.each(ERAS)('the job view (MCP Apps), %s era', (era) => {
  it('is linked from execute, status and wait for a client that renders MCP Apps', async () => {
    const h = await client(era, true);
    const { tools } = await h.client.listTools();
    const linked = tools.filter((tool) => tool._meta?.ui !== undefined).map((tool) => tool.name);
    expect(linked.sort()).toEqual(['execute', 'status', 'wait']);
    for (const tool of tools.filter((t) => linked.includes(t.name))) {
      expect(tool._meta).toEqual({
        ui: { resourceUri: JOB_VIEW_URI },
        'ui/resourceUri': JOB_VIEW_URI,
      });
    }
    const { resources } = await h.client.listResources();
    expect(resources.find((r) => r.uri === JOB_VIEW_URI)).toMatchObject({
      mimeType: RESOURCE_MIME_TYPE,
    });
    const read = await h.client.readResource({ uri: JOB_VIEW_URI });
    const [content] = read.contents;
    expect(content?.mimeType).toBe(RESOURCE_MIME_TYPE);
    const html = content !== undefined && 'text' in content ? content.text : '';
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<div id="app"></div>');
    // Self-contained: everything inline, nothing fetched (the frame has no network).
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('ui/initialize');
  });

  it('is invisible to a client without MCP Apps: same tools but the link, same answers', async () => {
    const plain = await client(era, false);
    const apps = await client(era, true);
    const plainTools = (await plain.client.listTools()).tools;
    expect(plainTools.every((tool) => tool._meta === undefined)).toBe(true);
    const appsTools = (await apps.client.listTools()).tools.map(({ _meta, ...tool }) => tool);
    expect(JSON.stringify(plainTools)).toBe(JSON.stringify(appsTools));
    const { resources } = await plain.client.listResources();
    expect(resources.map((r) => r.uri)).not.toContain(JOB_VIEW_URI);
    await expect(plain.client.readResource({ uri: JOB_VIEW_URI })).rejects.toThrow();

    const args = { command: 'echo same', name: 'same', wait_s: 5 };
    const [fromPlain, fromApps] = [
      await plain.call('execute', args),
      await apps.call('execute', args),
    ];
    const idOf = (result: typeof fromPlain) =>
      (result.structuredContent as { job_id: string }).job_id;
    const normal = (result: typeof fromPlain) =>
      JSON.stringify({ text: textOf(result), structured: result.structuredContent })
        .replaceAll(idOf(result), 'ID')
        .replace(/"(started_at|ended_at)":"[^"]*"/g, '"$1":"T"')
        .replace(/"(duration_ms|waited_ms)":\d+/g, '"$1":0')
        .replace(/\d+(\.\d+)? ?m?s\b/g, 'T');
    expect(normal(fromApps)).toBe(normal(fromPlain));
    expect(textOf(fromPlain)).toContain('same');
  });
});
