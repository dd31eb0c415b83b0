import { isSameProcess } from '../../procfs/proc.js';

const SESSION_PATTERN = /^mcp:(\d+):(\d+)$/;

/**
 * Whether the MCP session a `lifetime: "session"` job belongs to still exists. A session is
 * named after its MCP server process, `mcp:<pid>:<start time in clock ticks>`, so a recycled
 * pid never keeps a session alive. A name of another shape cannot be checked and counts as
 * alive.
 */
export function isSessionAlive(session: string): boolean {
  const match = SESSION_PATTERN.exec(session);
  if (!match) return true;
  return isSameProcess(Number(match[1]), Number(match[2]));
}
