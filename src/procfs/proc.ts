import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

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
