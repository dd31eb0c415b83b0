/**
 * The API's size and time limits, free of zod so a client (the CLI) can know them without
 * loading the schemas that enforce them.
 */

export const MAX_COMMAND_BYTES = 64 * 1024;
/** The longest a single `wait` call waits; a client waits longer by calling again. */
export const MAX_WAIT_S = 50;
export const DEFAULT_READ_BYTES = 16 * 1024;
export const MAX_READ_BYTES = 1024 * 1024;
