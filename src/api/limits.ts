/**
 * The API's size and time limits, free of zod so a client (the CLI) can know them without
 * loading the schemas that enforce them.
 */

import { BgError, ErrorCode } from './errors.js';

export const MAX_COMMAND_BYTES = 64 * 1024;

/** Refuses a command over MAX_COMMAND_BYTES: the one message, from the client and the engine. */
export function assertCommandSize(command: string): void {
  const bytes = Buffer.byteLength(command);
  if (bytes <= MAX_COMMAND_BYTES) return;
  throw new BgError(
    ErrorCode.invalidInput,
    `The command is ${bytes} bytes; the limit is ${MAX_COMMAND_BYTES}. Put long scripts in a file and run the file.`,
  );
}
/** The longest a single `wait` call waits; a client waits longer by calling again. */
export const MAX_WAIT_S = 50;
export const DEFAULT_READ_BYTES = 16 * 1024;
export const MAX_READ_BYTES = 1024 * 1024;
