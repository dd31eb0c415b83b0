import { type McpServer, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

import { BgError, ErrorCode, toBgError } from '../api/errors.js';
import { WORKERS_URI } from './resource-uris.js';
import type { ToolDeps } from './tool.js';

const JSON_TYPE = 'application/json';

/**
 * `bgjobs://workers`: every worker on the Redis of BGJOBS_REDIS_URL — name, host, labels,
 * running and queued counts, last heartbeat — as `bgjobs workers --json` gives them. Like that
 * command it reads Redis directly (the workers' heartbeats live there, not in the daemon), with
 * the URL of this server's environment; the remote module loads on the first read only.
 */
export function registerWorkerResources(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'workers',
    WORKERS_URI,
    {
      title: 'Workers on other machines',
      description:
        'Every `bgjobs worker` on the Redis of BGJOBS_REDIS_URL: name, host, labels, running and queued jobs, last_seen and state, as `bgjobs workers --json` gives them (JSON).',
      mimeType: JSON_TYPE,
    },
    async (uri) => {
      try {
        const workers = await readWorkers(deps.caller.env.BGJOBS_REDIS_URL);
        return {
          contents: [
            { uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(workers, null, 2) },
          ],
        };
      } catch (error) {
        throw new ProtocolError(ProtocolErrorCode.InternalError, toBgError(error).message);
      }
    },
  );
}

async function readWorkers(raw: string | undefined): Promise<unknown[]> {
  if (raw === undefined || raw === '') {
    throw new BgError(
      ErrorCode.config,
      'This MCP server has no BGJOBS_REDIS_URL, so it cannot see any worker: set it in the server’s environment (the Redis your workers use).',
    );
  }
  const { checkRedisUrl, redactUrl } = await import('../remote/redis-url.js');
  const { listWorkers } = await import('../remote/workers-list.js');
  const url = checkRedisUrl(raw);
  try {
    return await listWorkers(url);
  } catch (error) {
    throw new BgError(
      ErrorCode.internal,
      `Could not read the workers from ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}. Is Redis up, and the password right?`,
    );
  }
}
