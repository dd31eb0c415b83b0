import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
  getUiCapability,
  registerAppResource,
  RESOURCE_MIME_TYPE,
  RESOURCE_URI_META_KEY,
} from '@modelcontextprotocol/ext-apps/server';
import type { ClientCapabilities, McpServer, RegisteredTool } from '@modelcontextprotocol/server';

/** The job view (MCP Apps): one self-contained HTML page, bundled by `npm run build`. */
export const JOB_VIEW_URI = 'ui://bgjobs/job.html';
/** The tools whose results the job view shows: the job they started, read or waited for. */
export const JOB_VIEW_TOOLS = ['execute', 'status', 'wait'] as const;

/** What tells, at the time of a request, what the client declared it can do. */
export type DeclaredCapabilities = () => ClientCapabilities | undefined;

/**
 * Offers the job view to clients that render MCP Apps, and to them only: while the client has
 * declared the MCP Apps extension (`io.modelcontextprotocol/ui` with its HTML mime type), the
 * listed `execute`, `status` and `wait` link `ui://bgjobs/job.html` in `_meta.ui.resourceUri`
 * and the resource is listed and readable; for any other client the tools list exactly as
 * before and the resource does not exist.
 *
 * The SDK reads a tool's `_meta` and a resource's `enabled` when it answers each listing, so
 * both are getters over what the client declared: on the 2026-07-28 era that is known per
 * request, not once at `initialize`.
 *
 * @example
 * offerJobView(server, [executeTool, statusTool, waitTool], () => server.server.getClientCapabilities());
 */
export function offerJobView(
  server: McpServer,
  tools: readonly RegisteredTool[],
  declared: DeclaredCapabilities,
): void {
  const linked = (): boolean => rendersApps(declared());
  for (const tool of tools) {
    const own = tool._meta;
    const withView = {
      ...own,
      ui: { resourceUri: JOB_VIEW_URI },
      [RESOURCE_URI_META_KEY]: JOB_VIEW_URI,
    };
    Object.defineProperty(tool, '_meta', {
      get: () => (linked() ? withView : own),
      configurable: true,
    });
  }
  const resource = registerAppResource(
    server,
    'job-view',
    JOB_VIEW_URI,
    { title: 'Job view', description: "A job's status and live output, with a kill button." },
    () => ({
      contents: [{ uri: JOB_VIEW_URI, mimeType: RESOURCE_MIME_TYPE, text: jobViewHtml() }],
    }),
  );
  Object.defineProperty(resource, 'enabled', { get: linked, configurable: true });
}

/** Whether these capabilities declare MCP Apps with the HTML view type. */
export function rendersApps(capabilities: ClientCapabilities | undefined): boolean {
  return getUiCapability(capabilities)?.mimeTypes?.includes(RESOURCE_MIME_TYPE) === true;
}

let html: string | undefined;

/** The built view (`dist/web/job-view.html`), read once; also found from `src/mcp` in tests. */
export function jobViewHtml(): string {
  if (html !== undefined) return html;
  for (const relative of ['../web/job-view.html', '../../dist/web/job-view.html']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return (html = readFileSync(path, 'utf8'));
  }
  return '<!doctype html><p>The bgjobs job view was not built: run <code>npm run build</code>.</p>';
}
