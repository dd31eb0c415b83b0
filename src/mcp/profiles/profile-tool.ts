import type {
  CallToolResult,
  McpServer,
  RegisteredTool,
  ServerContext,
  ToolAnnotations,
  ToolCallback,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';

import { isBgError, toBgError } from '../../api/errors.js';
import type { CallOptions, JobsApi } from '../../api/contract.js';
import { errorResult, type Tool, type ToolDeps } from '../tool.js';

/**
 * One tool of a drop-in profile: another server's tool, same name, arguments and result, as a
 * thin adapter over the `JobsApi`. Where the original answered a failure with a value (say
 * `{success: false, error}`) the adapter does too; where it raised a tool error, `run` returns
 * `toolError` and the client gets an `isError` result with that text.
 */
export type Reply<T> = { value: T } | { toolError: string };

export interface ProfileContext {
  options: CallOptions;
  /** The message of a failure, for the original's error text; unexpected ones are logged too. */
  describe: (error: unknown) => string;
}

/** A profile: the original server's name (as its clients saw it) and its tools. */
export interface Profile {
  serverName: string;
  tools: readonly Tool[];
  /** Throws a `config` BgError for a bad setting of its own, when the server is made. */
  checkSettings?: (env: Readonly<Record<string, string>>) => void;
}

/** How a profile renders results: the original's text, and whether it was also structured. */
export interface ProfileStyle {
  serialize: (value: unknown) => string;
  /** The original advertised an output schema and sent `structuredContent`. */
  structured: boolean;
}

/** Results as compact JSON text, and the same object as `structuredContent`. */
export const STRUCTURED_JSON: ProfileStyle = {
  serialize: (value) => JSON.stringify(value),
  structured: true,
};

export interface ProfileToolSpec<In extends z.ZodObject, Out extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  /** The original's result; advertised as the output schema when the profile is structured. */
  outputSchema: Out;
  annotations: ToolAnnotations;
  run: (api: JobsApi, input: z.output<In>, context: ProfileContext) => Promise<Reply<z.input<Out>>>;
}

/** Defines a profile tool; its handler never throws (see `defineTool`, whose contract it keeps). */
export function defineProfileTool<In extends z.ZodObject, Out extends z.ZodType>(
  style: ProfileStyle,
  spec: ProfileToolSpec<In, Out>,
): Tool {
  const register = (server: McpServer, deps: ToolDeps): RegisteredTool => {
    const { name, title, description, inputSchema, outputSchema, annotations } = spec;
    const describe = (error: unknown): string => {
      if (!isBgError(error)) deps.logError(`tool ${name} failed unexpectedly`, error);
      return toBgError(error).message;
    };
    const handler = async (input: z.output<In>, ctx: ServerContext): Promise<CallToolResult> => {
      try {
        const options = { caller: deps.caller, signal: ctx.mcpReq.signal };
        const reply = await spec.run(deps.api, input, { options, describe });
        if ('toolError' in reply) return errorResult(reply.toolError);
        // Parsing keeps to the declared shape (and its key order, which the text shows).
        const value = outputSchema.parse(reply.value) as Record<string, unknown>;
        const content: CallToolResult['content'] = [{ type: 'text', text: style.serialize(value) }];
        return style.structured ? { content, structuredContent: value } : { content };
      } catch (error) {
        return errorResult(describe(error));
      }
    };
    // As in defineTool: the SDK has parsed the arguments with `inputSchema`.
    return server.registerTool<z.ZodType, z.ZodObject>(
      name,
      {
        title,
        description,
        inputSchema,
        ...(style.structured ? { outputSchema } : {}),
        annotations: { title, ...annotations },
      },
      handler as ToolCallback<z.ZodObject>,
    );
  };
  return { name: spec.name, register };
}
