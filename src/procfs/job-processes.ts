import { setTimeout as delay } from 'node:timers/promises';

import { isWaitingOnStdin, isWaitingOnTerminal } from './input-wait.js';
import { jobProcesses, procStat, signalGroup, signalProcess, type ProcStat } from './proc.js';

/** What a job's record (or a worker's run record) says of its process: the leader's pid and start time. */
export interface JobProcessRef {
  pid: number | null;
  pidStart: number | null;
}

/** The same, with whether the job has a terminal (how it waits for input differs). */
export type JobInputRef = JobProcessRef & { pty: unknown };

/**
 * The job's live processes: its process group and session members. A process group or session
 * outlives its leader only while it has members, and its id cannot be reused meanwhile; but
 * once the leader's pid belongs to another process (another start time), the id is no longer
 * the job's and nothing is.
 */
export function processesOf(job: JobProcessRef): ProcStat[] {
  if (job.pid === null || job.pidStart === null) return [];
  const leader = procStat(job.pid);
  if (leader !== undefined && leader.startTime !== job.pidStart) return [];
  return jobProcesses(job.pid, job.pidStart);
}

/** Pids of the job's processes still alive. */
export function membersOf(job: JobProcessRef): number[] {
  return processesOf(job).map((p) => p.pid);
}

/** Signals the job's whole process group, and members that moved to a group of their own. */
export function signalJob(job: JobProcessRef, signal: NodeJS.Signals): void {
  if (job.pid === null || job.pidStart === null) return;
  const members = processesOf(job);
  if (members.length === 0) return;
  signalGroup(job.pid, signal);
  for (const member of members) {
    if (member.pgrp !== job.pid) signalProcess(member.pid, member.startTime, signal);
  }
}

/**
 * Whether any of these processes of the job is blocked reading its input: the stdin FIFO at
 * STDIN, or for a pty job the terminal (which `script` feeds from the FIFO).
 */
export function isWaitingForInput(
  job: JobInputRef,
  stdin: string,
  pids: readonly number[] = membersOf(job),
): boolean {
  if (job.pty !== null) return pids.some((pid) => isWaitingOnTerminal(pid));
  return pids.some((pid) => isWaitingOnStdin(pid, stdin));
}

/**
 * Waits, at most MS, until the job's leader leads its own process group. The monitor records
 * the pid as it forks; `setsid` makes the group a moment later, and a signal sent to the group
 * before then reaches nothing.
 */
export async function untilOwnGroup(job: JobProcessRef, ms = 1000): Promise<void> {
  if (job.pid === null) return;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const stat = procStat(job.pid);
    if (!stat || stat.startTime !== job.pidStart || stat.pgrp === job.pid) return;
    await delay(2);
  }
}
