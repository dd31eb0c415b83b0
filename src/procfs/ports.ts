import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which TCP ports processes listen on, read from Linux's /proc: the kernel's socket tables
 * (/proc/net/tcp, /proc/net/tcp6) give inode → port for listening sockets, and each process's
 * /proc/PID/fd links name the socket inodes it holds. Only sockets in the network namespace of
 * this process are seen (/proc/net is /proc/self/net).
 */

// The `st` column of /proc/net/tcp{,6}: 0A is TCP_LISTEN.
const LISTEN = '0A';
const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'] as const;
const COMMAND_MAX = 200;

/**
 * Inode → port for every socket in LISTEN state in the text of one /proc/net/tcp{,6} table.
 * The header and malformed lines are skipped. Pure, for tests; `listeningSockets` reads /proc.
 *
 * @example
 * parseListening('0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 4242 …');
 * // → Map { 4242 => 8080 }
 */
export function parseListening(text: string): Map<number, number> {
  const sockets = new Map<number, number>();
  for (const line of text.split('\n')) {
    // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, …
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const port = hexPort(fields[1] ?? '');
    const inode = Number(fields[9]);
    // A listening socket always has an inode; 0 would mean a line we misread.
    if (port === undefined || !Number.isSafeInteger(inode) || inode <= 0) continue;
    sockets.set(inode, port);
  }
  return sockets;
}

/**
 * Inode → port for every TCP socket in LISTEN state, IPv4 and IPv6.
 *
 * @example
 * const sockets = listeningSockets(); // Map { 1585 => 2024, 90211 => 5173 }
 * const listensOn5173 = [...sockets.values()].includes(5173);
 */
export function listeningSockets(): Map<number, number> {
  const sockets = new Map<number, number>();
  for (const table of TABLES) {
    for (const [inode, port] of parseListening(readTable(table))) sockets.set(inode, port);
  }
  return sockets;
}

/**
 * The sorted, unique TCP ports that any of PIDS listens on. A process that has vanished, or
 * whose descriptors we may not read, contributes nothing. Reading the socket tables is most of
 * the cost (the kernel walks its whole connection hash, ~2 ms a table): to look up several jobs
 * at once, read them once with `listeningSockets()` and pass them as SOCKETS.
 *
 * @example
 * portsOf([job.pid, ...childPids]); // → [3000, 9229]
 * const sockets = listeningSockets();
 * const byJob = jobs.map((job) => portsOf(job.pids, sockets));
 */
export function portsOf(pids: readonly number[], sockets?: ReadonlyMap<number, number>): number[] {
  // No processes, no ports: the socket tables (the whole cost) are not read.
  if (pids.length === 0) return [];
  sockets ??= listeningSockets();
  if (sockets.size === 0) return [];
  const ports = new Set<number>();
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const port = sockets.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Every process listening on PORT, with its command line (arguments joined with spaces, cut to
 * 200 characters). Processes sharing one socket (a forked server) are each reported. Scans
 * every process's descriptors, so it is meant for an occasional call (a few ms for hundreds of
 * processes); it returns at once when nothing listens on PORT. Processes whose descriptors we
 * may not read are missed: `isListening` still sees their port.
 *
 * @example
 * portHolders(5173); // → [{ pid: 4711, command: 'node node_modules/.bin/vite' }]
 */
export function portHolders(port: number): { pid: number; command: string }[] {
  if (!isPort(port)) return [];
  const inodes = new Set<number>();
  for (const [inode, p] of listeningSockets()) if (p === port) inodes.add(inode);
  if (inodes.size === 0) return [];

  const holders: { pid: number; command: string }[] = [];
  for (const pid of allPids()) {
    if (socketInodes(pid).some((inode) => inodes.has(inode))) {
      holders.push({ pid, command: commandOf(pid) });
    }
  }
  return holders;
}

/**
 * True when some socket listens on PORT (IPv4 or IPv6, any address), whoever holds it: needs
 * only the kernel's socket tables, not the holder's descriptors.
 *
 * @example
 * if (isListening(5432)) console.error('postgres is up');
 */
export function isListening(port: number): boolean {
  if (!isPort(port)) return false;
  for (const table of TABLES) {
    for (const p of parseListening(readTable(table)).values()) if (p === port) return true;
  }
  return false;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65535;
}

/** The port of a `HEXADDR:HEXPORT` local address; undefined when malformed. */
function hexPort(address: string): number | undefined {
  const colon = address.lastIndexOf(':');
  const hex = address.slice(colon + 1);
  if (colon <= 0 || !/^[0-9A-Fa-f]{4}$/.test(hex)) return undefined;
  const port = parseInt(hex, 16);
  return port > 0 ? port : undefined;
}

// A kernel without IPv6 has no /proc/net/tcp6: an absent table has no sockets.
function readTable(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** The socket inodes PID holds open; [] when it is gone or not ours to inspect (EACCES). */
function socketInodes(pid: number): number[] {
  if (!Number.isSafeInteger(pid) || pid <= 0) return [];
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return [];
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`${dir}/${fd}`);
    } catch {
      // The descriptor was closed, or the process exited, between readdir and readlink.
      continue;
    }
    if (target.startsWith('socket:[')) inodes.push(Number(target.slice(8, -1)));
  }
  return inodes;
}

/** PID's command line, arguments joined with spaces; its bare name when cmdline is empty. */
function commandOf(pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  // Each argument ends in a NUL; a process that rewrote its title may leave several at the end.
  const args = read('cmdline').replace(/\0+$/, '').split('\0').join(' ');
  return (args || read('comm').trim()).slice(0, COMMAND_MAX);
}
