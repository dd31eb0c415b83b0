import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

import { cgroupPids } from './cgroup.js';
import { processesOf, type JobProcessRef } from './job-processes.js';
import { procStat, signalProcess, type ProcStat } from './proc.js';

/** What finding a job's escapees needs to know of it. */
export interface EscapeeRef extends JobProcessRef {
  /** Its id: every process of the job carries BGJOBS_JOB_ID=<id> in its environment. */
  id: string;
  /** Its monitor, which carries the marker too but is no part of the job. */
  monitorPid: number | null;
  /** Its log files: an escapee usually still holds one open for writing. */
  logs: readonly string[];
  /** Its cgroup, when it has one: every process it started is in there. */
  cgroup: string | null;
}

/**
 * The job's escapees: processes it started that left its process group and session (`setsid`,
 * a double-forked daemon), so signalling the group misses them. Found in the job's cgroup when
 * it has one, and always in /proc by the job's marker in their environment or by a log file of
 * the job they hold open for writing. The monitor, and what it started itself (script(1) of a
 * terminal job), are not escapees.
 *
 * @example
 * const escapees = escapeesOf({ ...job, logs: [paths.stdout, paths.stderr], cgroup });
 * signalEach(escapees, 'SIGTERM');
 */
export function escapeesOf(ref: EscapeeRef): ProcStat[] {
  const members = new Set(processesOf(ref).map((p) => p.pid));
  const marker = `BGJOBS_JOB_ID=${ref.id}`;
  const found = new Set(cgroupPids(ref.cgroup));
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (found.has(pid) || members.has(pid)) continue;
    if (hasMarker(pid, marker) || writesAny(pid, ref.logs)) found.add(pid);
  }
  const escapees: ProcStat[] = [];
  for (const pid of found) {
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z' || members.has(pid) || pid === process.pid) continue;
    if (ref.monitorPid !== null && (pid === ref.monitorPid || stat.ppid === ref.monitorPid)) {
      continue;
    }
    escapees.push(stat);
  }
  return escapees;
}

/** Sends SIGNAL to each process that is still the one seen (same start time). */
export function signalEach(processes: readonly ProcStat[], signal: NodeJS.Signals): void {
  for (const p of processes) signalProcess(p.pid, p.startTime, signal);
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    return false;
  }
}

// O_WRONLY or O_RDWR in /proc/PID/fdinfo/FD's octal flags: open for writing.
function writesAny(pid: number, paths: readonly string[]): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (!paths.includes(target)) continue;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (flags && (parseInt(flags[1] ?? '0', 8) & 3) !== 0) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}
