import type { JobFolders } from '../../../job-folder/folders.js';
import { readCgroup } from '../../../job-folder/run-files.js';
import { escapeesOf, type EscapeeRef } from '../../../procfs/escapees.js';
import type { ProcStat } from '../../../procfs/proc.js';
import type { JobRecord } from '../../model.js';

/** What finding a job's escapees looks at: its marker, monitor, log files and cgroup. */
export function escapeeRef(job: JobRecord, folders: JobFolders): EscapeeRef {
  const paths = folders.paths(job.id);
  return {
    id: job.id,
    pid: job.pid,
    pidStart: job.pidStart,
    monitorPid: job.monitorPid,
    logs: [paths.stdout, paths.stderr],
    cgroup: readCgroup(paths),
  };
}

/**
 * The processes a job started that left its process group and session. Only a shell job run
 * here has any: a prompt runs in the daemon, a remote job on a worker's machine.
 */
export function jobEscapees(job: JobRecord, folders: JobFolders): ProcStat[] {
  if (job.kind !== 'shell' || job.remote !== null) return [];
  return escapeesOf(escapeeRef(job, folders));
}
