import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

import type { JobFolders } from '../../../job-folder/folders.js';
import type { JobPaths } from '../../../job-folder/paths.js';
import {
  recordCgroup,
  reserveExitRecord,
  setAsidePreviousRun,
} from '../../../job-folder/run-files.js';
import type { JobCgroups } from '../../../procfs/cgroup.js';
import type { SpareMonitors } from '../../../monitor/spares.js';
import { spawnMonitor, waitForPids } from '../../../monitor/spawn.js';
import { processesWithEnv, procStat } from '../../../procfs/proc.js';
import type { JobStore } from '../../../store/store.js';
import type { RunStart } from '../../events.js';
import type { Ending, JobRecord } from '../../model.js';

/** What launching runs works with. */
export interface LaunchDeps {
  store: JobStore;
  folders: JobFolders;
  /** Each job's own cgroup, where the system gives bgjobs one (null: none). */
  cgroups: JobCgroups | null;
  /** Monitors started ahead, a job's start then spawns nothing (null: always spawn). */
  spares: SpareMonitors | null;
}

/** What launching a run needs to know of the job it follows, and what it learns. */
export interface Launching {
  id: string;
  paths: JobPaths;
  child: ChildProcess | undefined;
}

/**
 * Starts one run of a shell job under a monitor — a spare one made for the job's environment
 * when one is ready, else a new one — and records its pids; ON_EXIT is told the moment the
 * monitor ends. Resolves with where the run's output starts, or with how the start failed.
 */
export async function launchRun(
  { store, folders, cgroups, spares }: LaunchDeps,
  entry: Launching,
  job: JobRecord,
  onExit: () => void,
): Promise<{ run: RunStart; failed?: undefined } | { failed: Ending }> {
  const { paths } = entry;
  store.update(job.id, {
    runs: job.runs + 1,
    runStartedAt: Date.now(),
    nextRestartAt: null,
    readyState: job.ready === null ? null : 'pending',
    readyAt: null,
    readyMatch: null,
  });
  try {
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    // A first run's folder is new: no earlier run left anything in it.
    if (job.runs > 0) setAsidePreviousRun(paths, job.runs);
    // Before the monitor starts: its record of the exit must need no new space on a full disk.
    reserveExitRecord(paths);
    const cgroup = cgroups?.make(job.id) ?? null;
    if (cgroup !== null) recordCgroup(paths, cgroup);
    const run = { stdout: folders.sizeOf(paths.stdout), stderr: folders.sizeOf(paths.stderr) };
    // A queued job's directory may have gone meanwhile; spawn would blame /bin/sh for it.
    if (!existsSync(job.cwd)) throw new Error(`its working directory ${job.cwd} no longer exists`);
    const env = folders.readEnv(job.id);
    if (env === undefined) throw new Error(`its environment file ${paths.env} is gone`);
    const spec = { id: job.id, command: job.command, cwd: job.cwd, pty: job.pty, cgroup };
    const monitor =
      spares?.take(env, paths, spec, { keep: Object.keys(job.envOverrides).length === 0 }) ??
      (await spawnMonitor(paths, job.command, env, job.cwd, job.pty, cgroup));
    entry.child = monitor.child;
    store.update(job.id, {
      monitorPid: monitor.monitorPid,
      monitorStart: monitor.monitorStart,
      ...(monitor.jobPid === undefined ? {} : { pid: monitor.jobPid, pidStart: monitor.jobStart }),
    });
    monitor.child.once('exit', onExit);
    // A spare's job process is known already: nothing spawned is waited for.
    if (monitor.jobPid !== undefined) return { run };
    const pids = await waitForPids(paths, monitor.child);
    if (pids) {
      store.update(job.id, {
        pid: pids.jobPid,
        pidStart: procStat(pids.jobPid)?.startTime ?? null,
      });
    }
    return { run };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { failed: { failed: true, how: `could not start: ${message}` } };
  }
}

/**
 * How a start ended that a daemon's death cut before its pids were recorded, once no pid file
 * came: with no process carrying the job's marker either, its command never ran (it goes back
 * to the queue); otherwise what it ran can no longer be followed.
 */
export function cutStartEnding(jobId: string): Ending {
  if (processesWithEnv(`BGJOBS_JOB_ID=${jobId}`).length === 0) {
    return { how: 'the daemon stopped before the command started', notStarted: true };
  }
  return { how: 'the daemon stopped while starting the job' };
}
