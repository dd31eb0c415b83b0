import { readFileSync, readlinkSync, statSync } from 'node:fs';

/**
 * Whether a process is blocked waiting for its input, read from /proc: the probe behind
 * `waiting_for_input`, `interact`'s early return and `wait until: "input"`.
 */

/**
 * True when PID is blocked waiting for its stdin, and that stdin is PATH (the job's FIFO): in
 * read(2) on fd 0, or select/epoll_wait watching it (node's REPL). A shell waiting for a
 * command substitution also sits in a pipe read, of another descriptor: that is not input.
 * Where /proc/PID/syscall cannot be read, any pipe read counts (the kernel names the wait
 * `pipe_read`, `pipe_wait` or `anon_pipe_read` depending on its version).
 */
export function isWaitingOnStdin(pid: number, path: string): boolean {
  try {
    if (readlinkSync(`/proc/${pid}/fd/0`) !== path) return false;
    return blockedOnFd0(pid) ?? /pipe/.test(readFileSync(`/proc/${pid}/wchan`, 'latin1'));
  } catch {
    return false;
  }
}

/**
 * True when PID is blocked waiting for its terminal (fd 0 a /dev/pts/N): in read(2) on fd 0
 * (a shell's `read`, most prompts), in select(2) watching fd 0 alone (nfds 1: python's `>>>`),
 * or in epoll_wait(2) on a set that watches the terminal for input (node's REPL, which
 * reopens it). A program that waits on its terminal in select or poll among other descriptors
 * is not seen. Where /proc/PID/syscall cannot be read (another user's process, another
 * architecture), only a read(2) is seen, by its kernel wait (`wait_woken`).
 */
export function isWaitingOnTerminal(pid: number): boolean {
  try {
    if (!readlinkSync(`/proc/${pid}/fd/0`).startsWith('/dev/pts/')) return false;
    return blockedOnFd0(pid) ?? readFileSync(`/proc/${pid}/wchan`, 'latin1') === 'wait_woken';
  } catch {
    return false;
  }
}

/**
 * How many times PID has blocked (its voluntary context switches): a process seen waiting
 * with a higher count than before has woken and waited again since. Undefined when gone.
 */
export function blockCount(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(status);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

// Syscall numbers (x86-64, arm64) of a wait for input: read(2), select(2)/pselect6(2), and
// epoll_wait(2)/epoll_pwait(2)/epoll_pwait2(2).
const INPUT_SYSCALLS: Partial<
  Record<NodeJS.Architecture, { read: number; select: number[]; epoll: number[] }>
> = {
  x64: { read: 0, select: [23, 270], epoll: [232, 281, 441] },
  arm64: { read: 63, select: [72], epoll: [22, 441] },
};

const EPOLLIN = 0x1;

/**
 * Whether PID is blocked in read(2) on fd 0, select(2) on fd 0 alone, or epoll_wait(2) on a set
 * watching fd 0's file for input; undefined where /proc/PID/syscall cannot be read.
 */
function blockedOnFd0(pid: number): boolean | undefined {
  const calls = INPUT_SYSCALLS[process.arch];
  const syscall = calls === undefined ? undefined : readSyscall(pid);
  if (calls === undefined || syscall === undefined) return undefined;
  // "NR ARG1 …" while blocked in a call; "running" (or "-1 …") otherwise.
  const [nr = -1, arg1 = -1] = syscall
    .split(' ')
    .map((field) => Number.parseInt(field, field.startsWith('0x') ? 16 : 10));
  if (nr === calls.read) return arg1 === 0;
  if (calls.select.includes(nr)) return arg1 === 1;
  if (calls.epoll.includes(nr)) return epollWatchesStdin(pid, arg1);
  return false;
}

// An epoll set's fdinfo lists each watched descriptor: "tfd: 21 events: 19 … ino:3 sdev:1a".
const EPOLL_ENTRY = /^tfd:\s*\d+\s+events:\s*([0-9a-f]+)\b.*\bino:([0-9a-f]+)\s+sdev:([0-9a-f]+)/gm;

/** Whether PID's epoll set EPFD watches its input (the same file as its fd 0) for reading. */
function epollWatchesStdin(pid: number, epfd: number): boolean {
  const terminal = statSync(`/proc/${pid}/fd/0`);
  const info = readFileSync(`/proc/${pid}/fdinfo/${epfd}`, 'latin1');
  for (const [, events = '0', ino = '', sdev = ''] of info.matchAll(EPOLL_ENTRY)) {
    if (
      (Number.parseInt(events, 16) & EPOLLIN) !== 0 &&
      Number.parseInt(ino, 16) === terminal.ino &&
      userDev(Number.parseInt(sdev, 16)) === terminal.dev
    ) {
      return true;
    }
  }
  return false;
}

/** A device number as the kernel keeps it (major << 20 | minor) in stat(2)'s encoding. */
function userDev(kernel: number): number {
  const major = Math.floor(kernel / 2 ** 20);
  const minor = kernel % 2 ** 20;
  return (minor & 0xff) + major * 256 + (minor - (minor & 0xff)) * 4096;
}

function readSyscall(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/syscall`, 'latin1');
  } catch {
    return undefined;
  }
}
