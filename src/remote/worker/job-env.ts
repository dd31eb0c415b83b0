import type { RunPayload } from '../wire.js';

/**
 * The environment bgjobs gives every job (as for a local job): output stays visible without
 * a terminal and nothing waits on a pager. The job's own overrides win.
 */
const JOB_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  PYTHONUNBUFFERED: '1',
  PAGER: 'cat',
  GIT_PAGER: 'cat',
  TERM: 'dumb',
};

/** What a remote job gets of the worker's own environment without asking by name. */
const BASE_NAMES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
] as const;

/**
 * A remote job's environment: a small base from the worker's own (PATH, HOME, locale…), the
 * bgjobs defaults, the variables the job names in `env_from_worker` (the worker's secrets stay
 * on the worker and go only to the jobs that ask for them), then the overrides that travelled
 * in the payload. BGJOBS_HOME is the worker's, like every process it starts.
 *
 * @returns the environment, or the names the job asked for that the worker does not have.
 */
export function remoteJobEnv(
  payload: RunPayload,
  workerEnv: Readonly<Record<string, string | undefined>>,
  home: string,
): { env: Record<string, string> } | { missing: string[] } {
  const env: Record<string, string> = {};
  for (const name of BASE_NAMES) {
    const value = workerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, JOB_ENV_DEFAULTS);
  const missing: string[] = [];
  for (const name of payload.env_from_worker) {
    const value = workerEnv[name];
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  if (missing.length > 0) return { missing };
  Object.assign(env, payload.env);
  env.BGJOBS_HOME = home;
  return { env };
}
