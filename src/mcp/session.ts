import { procStat } from '../procfs/proc.js';

/**
 * The MCP session of this process: `mcp:<pid>:<start time in clock ticks>`. The daemon stops
 * this session's `lifetime: "session"` jobs once no process has that pid and start time, so a
 * recycled pid never keeps them alive. Undefined where /proc cannot tell the start time.
 *
 * @example
 * mcpSessionId(); // 'mcp:4242:1234567'
 */
export function mcpSessionId(pid: number = process.pid): string | undefined {
  const start = procStat(pid)?.startTime;
  return start === undefined ? undefined : `mcp:${pid}:${start}`;
}
