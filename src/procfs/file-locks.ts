import { readFileSync, statSync } from 'node:fs';

/** A process holding a lock on a file, and what it runs. */
export interface LockHolder {
  pid: number;
  command: string;
  /** Its command line, word by word. */
  args: string[];
}

/**
 * The processes that hold a POSIX, flock or OFD lock on any of `paths` (those that exist), from
 * /proc/locks, this process excepted: who keeps an SQLite database locked. Best effort: an
 * OFD lock has no pid, and a lock taken over a network file system is not listed.
 *
 * @example
 * lockHolders(['/home/me/.local/state/bgjobs/bgjobs.db']); // [{ pid: 4242, command: 'sqlite3' }]
 */
export function lockHolders(paths: readonly string[]): LockHolder[] {
  const files = new Set<string>();
  for (const path of paths) {
    try {
      const stat = statSync(path);
      files.add(`${stat.dev}:${stat.ino}`);
    } catch {
      // Not there: nothing holds it.
    }
  }
  let table: string;
  try {
    table = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2147015 0 EOF"; a waiting lock's line has "->".
    const fields = line.replace('->', '').trim().split(/\s+/);
    const pid = Number(fields[4]);
    const file = fields[5];
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || file === undefined) continue;
    if (files.has(deviceInode(file))) pids.add(pid);
  }
  return [...pids].map((pid) => ({ pid, command: commandOf(pid), args: argsOf(pid) }));
}

/** "fe:00:2147015" (hex major:minor, then the inode) as "dev:ino" the way `stat` gives them. */
function deviceInode(field: string): string {
  const [major, minor, inode] = field.split(':');
  if (major === undefined || minor === undefined || inode === undefined) return '';
  const maj = parseInt(major, 16);
  const min = parseInt(minor, 16);
  // Linux's new_encode_dev, as st_dev reports a device.
  const dev = (min & 0xff) | (maj << 8) | ((min & ~0xff) << 12);
  return `${dev}:${inode}`;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg) => arg !== '');
  } catch {
    return [];
  }
}
