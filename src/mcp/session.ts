import type { Owner } from '../api/caller.js';
import { procStat } from '../procfs/proc.js';

/**
 * This process as the owner of its `lifetime: "session"` jobs: its pid and start time (clock
 * ticks). The daemon stops those jobs once no process has that pid and start time, so a
 * recycled pid never keeps them alive. Undefined where /proc cannot tell the start time.
 *
 * @example
 * mcpSessionOwner(); // { pid: 4242, start: 1234567 }
 */
export function mcpSessionOwner(pid: number = process.pid): Owner | undefined {
  const start = procStat(pid)?.startTime;
  return start === undefined ? undefined : { pid, start };
}
