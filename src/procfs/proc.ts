import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';

/**
 * What Linux's /proc tells about processes. A pid alone is never trusted: it is always paired
 * with the process's start time (clock ticks since boot), which a recycled pid cannot share.
 */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  startTime: number;
}

// /proc/PID/stat is under 1 KiB; one reused buffer spares the 64 KiB that readFileSync
// allocates per call, which matters when a scan reads every process on the machine.
const statBuffer = Buffer.alloc(4096);

function readStat(pid: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  try {
    const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return statBuffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads /proc/PID/stat; undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  const text = readStat(pid);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const num = (i: number): number => Number(fields[i]);
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: num(1),
    pgrp: num(2),
    session: num(3),
    startTime: num(19),
  };
}

/** True when PID is alive (not a zombie) and started at START. */
export function isSameProcess(pid: number | null, start: number | null): boolean {
  if (pid === null || start === null || pid <= 1) return false;
  const stat = procStat(pid);
  return stat !== undefined && stat.startTime === start && stat.state !== 'Z';
}

/**
 * Every live process of a job whose leader is LEADER: its process group, and its session (a
 * child may have moved to a process group of its own), started no earlier than NOT_BEFORE.
 */
export function jobProcesses(leader: number, notBefore = 0): ProcStat[] {
  if (leader <= 1) return [];
  const members: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat || stat.state === 'Z' || stat.startTime < notBefore) continue;
    if (stat.pgrp === leader || stat.session === leader) members.push(stat);
  }
  return members;
}

/** Sends SIGNAL to the whole process group; never to a group ≤ 1. False if nothing was there. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGNAL to one process, only if it is still the process that started at START. */
export function signalProcess(pid: number, start: number, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(pid, start)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when PID is blocked reading a pipe through its stdin, and that stdin is PATH (the job's
 * FIFO): the job is waiting for input. The kernel names the wait `pipe_read`, `pipe_wait` or
 * `anon_pipe_read` depending on its version.
 */
export function isWaitingOnStdin(pid: number, path: string): boolean {
  try {
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'latin1');
    return /pipe/.test(wchan) && readlinkSync(`/proc/${pid}/fd/0`) === path;
  } catch {
    return false;
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
    const calls = INPUT_SYSCALLS[process.arch];
    const syscall = calls === undefined ? undefined : readSyscall(pid);
    if (calls === undefined || syscall === undefined) {
      return readFileSync(`/proc/${pid}/wchan`, 'latin1') === 'wait_woken';
    }
    // "NR ARG1 …" while blocked in a call; "running" (or "-1 …") otherwise.
    const [nr = -1, arg1 = -1] = syscall
      .split(' ')
      .map((field) => Number.parseInt(field, field.startsWith('0x') ? 16 : 10));
    if (nr === calls.read) return arg1 === 0;
    if (calls.select.includes(nr)) return arg1 === 1;
    if (calls.epoll.includes(nr)) return epollWatchesTerminal(pid, arg1);
    return false;
  } catch {
    return false;
  }
}

// An epoll set's fdinfo lists each watched descriptor: "tfd: 21 events: 19 … ino:3 sdev:1a".
const EPOLL_ENTRY = /^tfd:\s*\d+\s+events:\s*([0-9a-f]+)\b.*\bino:([0-9a-f]+)\s+sdev:([0-9a-f]+)/gm;

/** Whether PID's epoll set EPFD watches its terminal (the same file as its fd 0) for input. */
function epollWatchesTerminal(pid: number, epfd: number): boolean {
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

/** The number of open file descriptors of PID (for leak checks). */
export function openFdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * Pids of live processes (not this one) whose environment holds ENTRY, e.g.
 * `BGJOBS_HOME=/tmp/x`: every job, monitor and daemon started for that home inherits it.
 */
export function processesWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (environ.includes(entry) && procStat(Number(name))?.state !== 'Z') pids.push(Number(name));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/** SIGKILLs, by pid, every process `processesWithEnv(ENTRY)` finds, until none is left. */
export async function killProcessesWithEnv(entry: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pids = processesWithEnv(entry);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`processes with ${entry} would not die: ${processesWithEnv(entry).join(', ')}`);
}
