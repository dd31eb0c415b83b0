/**
 * Allocator settings the daemon is started with. glibc gives each thread that allocates an
 * arena of its own (up to 8 per core) and seldom hands back what is freed in one. The file
 * watcher builds its tree of a folder (about 25 MB for 100,000 files) on a libuv pool thread,
 * a different one each time, so each re-arming of a big watch left another arena's worth behind
 * (100 → 176 MB over five armings). With one arena the next tree reuses that memory; the
 * daemon's threads seldom allocate at the same moment, so they do not queue for it.
 */
const DAEMON_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };
/** Names the settings that daemonEnv added, for the daemon to drop again. */
const ADDED = 'BGJOBS_DAEMON_ADDED_ENV';

/** The environment to spawn a daemon with: ENV plus the settings it does not set itself. */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added = Object.keys(DAEMON_ENV).filter((name) => env[name] === undefined);
  if (added.length === 0) return env;
  const values = Object.fromEntries(added.map((name) => [name, DAEMON_ENV[name]]));
  return { ...env, ...values, [ADDED]: added.join(',') };
}

/**
 * In the daemon: forgets what daemonEnv added (glibc has read it by now), so that jobs started
 * with the daemon's own environment (HTTP callers', a project file's) do not inherit it.
 */
export function forgetDaemonEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of env[ADDED]?.split(',') ?? []) delete env[name];
  delete env[ADDED];
}
