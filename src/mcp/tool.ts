import type {
  CallToolResult,
  McpServer,
  RegisteredTool,
  ServerContext,
  ToolAnnotations,
  ToolCallback,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';

import { isBgError, toBgError } from '../api/errors.js';
import type { Caller } from '../api/caller.js';
import type { CallOptions, JobsApi } from '../api/contract.js';
import { progressReporter } from './progress.js';
import { publishedSchema } from './published-schema.js';

/** What every tool handler needs: the API it adapts and who is calling through this server. */
export interface ToolDeps {
  api: JobsApi;
  caller: Caller;
  /** Where unexpected (non-domain) failures are reported; stdout is the protocol, so stderr. */
  logError: (message: string, error: unknown) => void;
  /** Publish each tool's output schema too (BGJOBS_MCP_OUTPUT_SCHEMAS). */
  outputSchemas?: boolean;
  /** Publish the fields that send work to workers on other machines (BGJOBS_REDIS_URL is set). */
  workers?: boolean;
  /** Resolves once `caller` is complete (the client's roots known); awaited before each call. */
  callerReady?: () => Promise<void>;
}

/**
 * One MCP tool as a thin adapter over one `JobsApi` method: the api.ts schemas are its input and
 * output schemas, the API result is its `structuredContent`, and `summarize` writes the short
 * text a model reads.
 */
export interface ToolSpec<
  In extends z.ZodObject,
  Out extends z.ZodObject,
  R extends z.output<Out> = z.output<Out>,
> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations: ToolAnnotations;
  /**
   * Fields that send work to workers on other machines: listed only where this server has
   * workers (`ToolDeps.workers`), since elsewhere they only cost the listing. They are taken and
   * checked either way, so a call with one still gets the engine's answer.
   */
  workerFields?: readonly string[];
  call: (api: JobsApi, input: z.output<In>, options: CallOptions) => Promise<R>;
  /** The text, from the whole result: the structured content keeps only `outputSchema`'s fields. */
  summarize: (result: R, input: z.output<In>) => string;
}

export interface Tool {
  name: string;
  register: (server: McpServer, deps: ToolDeps) => RegisteredTool;
}

/**
 * Defines a tool. Its handler never throws: a `BgError` from the API becomes an `isError` result
 * carrying the error's message (which says what to do next); anything else becomes an `isError`
 * "Internal error" result and is logged.
 *
 * @example
 * export const statusTool = defineTool({
 *   name: 'status', title: 'Job status', description: '…',
 *   inputSchema: statusInputSchema, outputSchema: statusOutputSchema,
 *   annotations: { readOnlyHint: true },
 *   call: (api, input, options) => api.status(input, options),
 *   summarize: (job) => `Job ${job.job_id} is ${job.status}.`,
 * });
 */
export function defineTool<
  In extends z.ZodObject,
  Out extends z.ZodObject,
  R extends z.output<Out> = z.output<Out>,
>(spec: ToolSpec<In, Out, R>): Tool {
  const register = (server: McpServer, deps: ToolDeps): RegisteredTool => {
    const { name, title, description, inputSchema, outputSchema, annotations } = spec;
    const unlisted = deps.workers === true ? [] : (spec.workerFields ?? []);
    const handler = async (input: z.output<In>, ctx: ServerContext): Promise<CallToolResult> => {
      const progress = progressReporter(ctx);
      try {
        await deps.callerReady?.();
        const result = await spec.call(deps.api, input, {
          caller: deps.caller,
          signal: ctx.mcpReq.signal,
          onProgress: progress.report,
        });
        // Parsing keeps to the advertised schema exactly (which forbids extra properties), so a
        // field the API adds before the schema does cannot fail a client's validation.
        const structured = spec.outputSchema.parse(result);
        return {
          content: [{ type: 'text', text: spec.summarize(result, input) }],
          structuredContent: structured,
        };
      } catch (error) {
        if (!isBgError(error)) deps.logError(`tool ${name} failed unexpectedly`, error);
        return errorResult(toBgError(error).message);
      } finally {
        progress.stop();
      }
    };
    // The SDK types a handler's arguments with a conditional type that a generic `In` cannot
    // resolve; the SDK has parsed the arguments with `inputSchema`, so they are `z.output<In>`.
    return server.registerTool<z.ZodObject, z.ZodObject>(
      name,
      {
        title,
        description,
        inputSchema: publishedSchema(inputSchema, { unlisted }),
        // Output schemas cost every session context and few clients use them: asked for only.
        ...(deps.outputSchemas === true && { outputSchema: publishedSchema(outputSchema) }),
        annotations,
      },
      handler as ToolCallback<z.ZodObject>,
    );
  };
  return { name: spec.name, register };
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}
