import { BgError, ErrorCode } from '../api/errors.js';

/**
 * Turns a watcher's failure into a clear error. The one that matters most on Linux: the
 * inotify watch limit (ENOSPC from inotify_add_watch), which must name the limit and its fix.
 */
export function watchError(error: unknown, root: string): BgError {
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOSPC|No space left on device|inotify.*limit|too many/i.test(message)) {
    return new BgError(
      ErrorCode.limitReached,
      `Cannot watch ${root}: the inotify watch limit (fs.inotify.max_user_watches) is reached. ` +
        'Raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (and add it to ' +
        '/etc/sysctl.conf to keep it), or watch fewer folders with narrower globs or more ignore globs.',
      { cause: error },
    );
  }
  if (/EMFILE|max_user_instances/i.test(message)) {
    return new BgError(
      ErrorCode.limitReached,
      `Cannot watch ${root}: too many inotify instances (fs.inotify.max_user_instances). ` +
        'Raise it with `sudo sysctl fs.inotify.max_user_instances=1024`.',
      { cause: error },
    );
  }
  return new BgError(ErrorCode.internal, `Cannot watch ${root}: ${message}`, { cause: error });
}
