import type { AgentMethod } from '../agents/contract.js';
import type { ApiMethod, JobEvent, Progress } from '../api/contract.js';

/**
 * What the daemon sends back on its socket, read without zod so the CLI starts fast; the check
 * of a result against its method's output schema (and of an event) loads the schemas on first
 * use, for the clients that check (the MCP server, embedders).
 */

export type Reply =
  | { id: number; result: unknown }
  | { id: number; error: { code: string; message: string; data?: Record<string, unknown> } }
  | { id: number; event: unknown }
  | { id: number; progress: Progress };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line of the socket as a reply, or undefined when it is not one. */
export function readReply(line: string): Reply | undefined {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(message) || !Number.isInteger(message.id)) return undefined;
  const id = message.id as number;
  if ('result' in message) return { id, result: message.result };
  if ('event' in message) return { id, event: message.event };
  const { error, progress } = message;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    const data = isRecord(error.data) ? error.data : undefined;
    return { id, error: { code: error.code, message: error.message, data } };
  }
  if (isRecord(progress) && typeof progress.progress === 'number') {
    const { total, message: text } = progress;
    return {
      id,
      progress: {
        progress: progress.progress,
        total: typeof total === 'number' ? total : undefined,
        message: typeof text === 'string' ? text : undefined,
      },
    };
  }
  return undefined;
}

/** The checks of what came back: a result against its method's output schema, an event. */
export interface ReplyChecks {
  /** The result with the schema's defaults applied; throws when it does not fit. */
  result(method: ApiMethod | AgentMethod, value: unknown): unknown;
  /** The event, or undefined when it is not one. */
  event(value: unknown): JobEvent | undefined;
}

/** Loads the schemas the checks need (zod and every output schema: tens of milliseconds). */
export async function loadReplyChecks(): Promise<ReplyChecks> {
  const [{ OUTPUT_SCHEMAS, jobEventSchema }, { AGENT_OUTPUT_SCHEMAS }] = await Promise.all([
    import('../api/contract.js'),
    import('../agents/api.js'),
  ]);
  return {
    result: (method, value) =>
      method in OUTPUT_SCHEMAS
        ? OUTPUT_SCHEMAS[method as ApiMethod].parse(value)
        : AGENT_OUTPUT_SCHEMAS[method as AgentMethod].parse(value),
    event: (value) => {
      const parsed = jobEventSchema.safeParse(value);
      return parsed.success ? parsed.data : undefined;
    },
  };
}
