import { assertCommandSize, MAX_COMMAND_BYTES } from '../api/limits.js';
import { checkRoomForJob } from '../disk/space.js';

// The calls that admit a new job: the daemon refuses them while the disk is full.
const ADMITS_JOB: ReadonlySet<string> = new Set(['execute', 'prompt']);

/**
 * Throws what the daemon would answer anyway, before the request is sent: an `execute` whose
 * command is over its 64 KiB limit (sending megabytes of it, for the daemon to parse and
 * refuse, took most of the time of the refusal), and — when no daemon is connected yet — a new
 * job while the disk holding the home is full (a daemon would be started only to refuse it).
 * The daemon's own checks stay: this is the same rule applied sooner, not another rule.
 * (`interact`'s input is held to its limit by its input schema, before anything is sent.)
 *
 * @example
 * refuseBeforeSending('execute', { command: big }, { home, connected: true }); // throws invalid_input
 */
export function refuseBeforeSending(
  method: string,
  params: unknown,
  context: { home: string; connected: boolean },
): void {
  const command = method === 'execute' ? stringField(params, 'command') : undefined;
  // Within a third of the limit in UTF-16 units, a string is within it in bytes (3 a unit at most).
  if (command !== undefined && command.length > MAX_COMMAND_BYTES / 3) assertCommandSize(command);
  if (!context.connected && ADMITS_JOB.has(method)) checkRoomForJob(context.home);
}

function stringField(params: unknown, key: string): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const value = (params as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}
