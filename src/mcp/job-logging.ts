import type { LoggingLevel, McpServer } from '@modelcontextprotocol/server';

import type { JobEvent } from '../api/contract.js';
import { jobLabel } from './format.js';
import type { JobFeed } from './job-feed.js';

// RFC 5424 severities, least severe first, as MCP orders them.
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/**
 * Sends a log message (`notifications/message`, logger "bgjobs") when a job starts or ends:
 * info, or warning for a job that failed or was lost. Messages begin once the client sets a level
 * with `logging/setLevel` — that request starts the job feed — and respect that level.
 */
export function sendJobLogs(server: McpServer, feed: JobFeed): void {
  let threshold: LoggingLevel | undefined;
  // Replaces the SDK's own handler, which keeps the level where this server cannot read it.
  server.server.setRequestHandler('logging/setLevel', (request) => {
    threshold = request.params.level;
    feed.start();
    return {};
  });
  feed.onEvent((event) => {
    const message = logMessage(event);
    if (threshold === undefined || message === undefined) return;
    if (LEVELS.indexOf(message.level) < LEVELS.indexOf(threshold)) return;
    server.sendLoggingMessage({ ...message, logger: 'bgjobs' }).catch(() => {});
  });
}

function logMessage(event: JobEvent): { level: LoggingLevel; data: string } | undefined {
  const job = jobLabel(event);
  if (event.type === 'started') {
    const detail = event.detail === null ? '' : ` (${event.detail})`;
    return { level: 'info', data: `Job ${job} started${detail}.` };
  }
  if (event.type === 'ended') {
    const level = event.status === 'failed' || event.status === 'lost' ? 'warning' : 'info';
    const detail = event.detail === null ? '' : `: ${event.detail}`;
    return { level, data: `Job ${job} ended ${event.status}${detail}.` };
  }
  return undefined;
}
