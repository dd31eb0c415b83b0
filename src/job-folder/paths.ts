import { join } from 'node:path';

import { JOB_ID_PATTERN } from '../api/job.js';
import { BgError, ErrorCode } from '../api/errors.js';

/**
 * The files in a job's folder. The monitor writes `stdout` and `stderr` (append-only), holds
 * the `stdin` FIFO open, records `pid`, writes `exit` atomically when the job ends, and its
 * own diagnostics to `monitor.log`. `cgroup` names
 * the job's cgroup when it has one (see src/procfs/cgroup.ts). `exit.tmp` is
 * made with its space reserved before the monitor starts (see reserveExitRecord). A service's
 * earlier runs leave `exit.run<N>`. `env` is the environment the job starts with (its caller's,
 * with its overrides), kept only while it is live.
 */
export const JOB_FILES = {
  stdout: 'stdout',
  stderr: 'stderr',
  stdin: 'stdin',
  exit: 'exit',
  exitRecord: 'exit.tmp',
  pid: 'pid',
  command: 'command',
  monitorLog: 'monitor.log',
  cgroup: 'cgroup',
  env: 'env',
} as const;

export type JobFile = keyof typeof JOB_FILES;

/** Every path of one job: its folder and each file in it. */
export type JobPaths = { dir: string } & Record<JobFile, string>;

/** The folder holding every job's folder. */
export function jobsRoot(home: string): string {
  return join(home, 'jobs');
}

/**
 * The folder of one job. The id is checked so it can never step outside `<home>/jobs`.
 *
 * @example
 * jobDir('/home/me/.local/state/bgjobs', 'k3f9x2qa'); // '/home/me/.local/state/bgjobs/jobs/k3f9x2qa'
 */
export function jobDir(home: string, id: string): string {
  if (!JOB_ID_PATTERN.test(id)) {
    throw new BgError(
      ErrorCode.invalidInput,
      `${JSON.stringify(id.slice(0, 80))} is not a job id (8 lowercase letters or digits). Call \`list\` to see the job ids.`,
    );
  }
  return join(jobsRoot(home), id);
}

/**
 * All paths of one job.
 *
 * @example
 * const { stdout, exit } = jobPaths(config.home, 'k3f9x2qa');
 */
export function jobPaths(home: string, id: string): JobPaths {
  return pathsIn(jobDir(home, id));
}

/** All paths of the job folder at DIR. */
export function pathsIn(dir: string): JobPaths {
  const files = Object.entries(JOB_FILES).map(([key, file]) => [key, join(dir, file)]);
  return { dir, ...Object.fromEntries(files) } as JobPaths;
}
