import type { ServerContext } from '@modelcontextprotocol/server';

import type { Progress } from '../api/contract.js';

export interface ProgressReporter {
  /** Undefined when the request carried no progressToken, so the API can skip the work. */
  report: ((progress: Progress) => void) | undefined;
  /** Called once the tool has its result: nothing is sent for this request after it. */
  stop: () => void;
}

/**
 * Turns the API's progress callbacks into `notifications/progress` for the request being handled,
 * when (and only when) the client asked for progress with a progressToken.
 */
export function progressReporter(ctx: ServerContext): ProgressReporter {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return { report: undefined, stop: () => {} };

  let stopped = false;
  let last = -Infinity;
  const report = (update: Progress): void => {
    // The protocol requires progress to increase with every notification of one token, and
    // nothing may follow the response; drop what would break either rule.
    if (stopped || ctx.mcpReq.signal.aborted || !(update.progress > last)) return;
    last = update.progress;
    const { progress, total, message } = update;
    ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total !== undefined && { total }),
          ...(message !== undefined && { message }),
        },
      })
      // A notification the client can no longer receive is not worth failing the request for.
      .catch(() => {});
  };
  return {
    report,
    stop: () => {
      stopped = true;
    },
  };
}
