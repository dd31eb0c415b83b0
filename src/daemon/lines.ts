/** The daemon socket's framing limits, free of zod (the CLI loads them). */

/**
 * The longest line either side accepts. A command is at most 64 KiB, but the MCP server passes
 * on whatever its client sent (up to 10 MiB) with the caller's environment: that must reach the
 * engine whole, to be refused with the reason. A longer line is answered with an error.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** The error for a line over MAX_LINE_BYTES, in words. */
export function oversizedMessage(bytes: number): string {
  return `The message is ${bytes} bytes, larger than the limit of ${MAX_LINE_BYTES} bytes (16 MiB) for one message to or from the bgjobs daemon; it was dropped. Put large data in a file and pass its path.`;
}
