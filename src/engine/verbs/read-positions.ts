import type { Caller, Owner } from '../../api/caller.js';
import { projectOf } from '../admission/project.js';
import { isOwnerAlive } from '../watchers/sessions.js';

/**
 * Whose read positions (`output` with `new_only`) a caller follows. Most callers name their
 * reader outright (the CLI, the dashboard, an HTTP session, an agent). A stdio MCP server is
 * a process that a client restarts at will, so its own name (`mcp:<pid>:<time>`) would lose
 * the positions with it; it says which client it serves instead, and its reads follow that
 * client in that project (`mcp-client:<name>:<project>`) — the identity that survives a
 * restart. Two live servers of one client in one project (two chats side by side) must not
 * share positions: the first to read holds the client's positions while its process lives;
 * another reads under its own process name, and the result says its positions are new.
 */

/** How a read position was found: `client` and `reader` last, `process` a fresh one. */
export type ReaderIdentity = 'reader' | 'client' | 'process';

export interface ResolvedReader {
  reader: string;
  identity: ReaderIdentity;
}

export class ReadPositions {
  /** Which MCP server process holds each client's positions. */
  private readonly holders = new Map<string, Owner>();
  /** What each server process was given, so that it keeps it while it lives. */
  private readonly given = new Map<string, ResolvedReader>();

  /**
   * The reader a caller's `new_only` reads follow.
   *
   * @example
   * positions.readerFor({ ...caller, client: 'claude-code', owner }); // { reader: 'mcp-client:claude-code:/src/app', identity: 'client' }
   */
  readerFor(caller: Caller | undefined): ResolvedReader {
    const own = caller?.reader ?? 'default';
    if (caller?.client === undefined || caller.owner === undefined) {
      return { reader: own, identity: 'reader' };
    }
    const owner = caller.owner;
    const key = ownerKey(owner);
    const known = this.given.get(key);
    if (known !== undefined) return known;
    this.forgetTheGone();

    const place = projectOf(caller.cwd, caller.roots) ?? caller.cwd;
    const lasting = `mcp-client:${caller.client}:${place}`;
    const holder = this.holders.get(lasting);
    const free = holder === undefined || !isOwnerAlive(holder);
    const given: ResolvedReader = free
      ? { reader: lasting, identity: 'client' }
      : { reader: own, identity: 'process' };
    if (free) this.holders.set(lasting, owner);
    this.given.set(key, given);
    return given;
  }

  // Servers come and go with chats: what the gone ones held is freed now and then.
  private forgetTheGone(): void {
    if (this.given.size < 64) return;
    for (const [reader, owner] of this.holders) {
      if (!isOwnerAlive(owner)) this.holders.delete(reader);
    }
    for (const key of this.given.keys()) {
      const [pid, start] = key.split(':').map(Number);
      if (!isOwnerAlive({ pid: pid ?? 0, start: start ?? 0 })) this.given.delete(key);
    }
  }
}

function ownerKey(owner: Owner): string {
  return `${owner.pid}:${owner.start}`;
}
