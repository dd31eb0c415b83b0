import { opendir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

import type { AsyncSubscription, Event } from '@parcel/watcher';
import picomatch from 'picomatch';

import { watchError } from './watch-errors.js';

/** Folders no watch ever reacts to, wherever they are in the tree. */
export const DEFAULT_IGNORES = ['**/.git/**', '**/node_modules/**'];
const DEFAULT_IGNORED_DIRS = ['**/.git', '**/node_modules'];
// The same folders for the native watcher, as one plain regex on the path relative to the root:
// it tests every path of the tree once when arming, and the regexes it makes of globs cost
// about 4 µs a path each (0.8 s of a 100,000-file tree for the two globs), this one next to none.
const DEFAULT_IGNORED_DIRS_RE = /(?:^|\/)(?:\.git|node_modules)(?:\/|$)/;

/** At most this many changed paths are remembered for one run (BGJOBS_CHANGED says how many more). */
export const MAX_CHANGED_PATHS = 1000;

export interface FileWatchOptions {
  /** The tree's root (the agent's cwd). */
  root: string;
  patterns: readonly string[];
  ignore: readonly string[];
  /** bgjobs' own data folder: never reacted to, even inside the tree. */
  home: string;
  debounceMs: number;
  /** One burst of changes, relative to root, sorted; `more` counts paths past the cap. */
  onBurst: (paths: string[], more: number) => void;
  onError: (error: Error) => void;
}

/**
 * Watches a tree (recursively, with the native @parcel/watcher: inotify on Linux) and reports
 * each debounced burst of changes to matching paths. Symlinks are not followed, so a link to a
 * folder outside the tree never brings that folder in.
 */
export class FileWatch {
  private readonly options: FileWatchOptions;
  private readonly matches: (path: string) => boolean;
  private subscription: AsyncSubscription | undefined;
  private readonly pending = new Set<string>();
  private more = 0;
  private timer: NodeJS.Timeout | undefined;
  private burstStartedAt = 0;
  private root = '';
  private closed = false;

  constructor(options: FileWatchOptions) {
    this.options = options;
    const include = picomatch([...options.patterns], { dot: true });
    const exclude = picomatch([...DEFAULT_IGNORES, ...options.ignore], { dot: true });
    this.matches = (path) => include(path) && !exclude(path);
  }

  /** Starts watching; rejects with a clear error (the inotify limit, say) and watches nothing then. */
  async start(): Promise<void> {
    this.root = await realpath(this.options.root);
    const home = await realpath(this.options.home).catch(() => this.options.home);
    const ignore: (string | RegExp)[] = [DEFAULT_IGNORED_DIRS_RE, ...this.options.ignore];
    if (isInside(this.root, home)) ignore.push(home);
    try {
      // The native watcher loads with the first watch armed, not with every daemon.
      const { default: watcher } = await import('@parcel/watcher');
      this.subscription = await watcher.subscribe(
        this.root,
        (error, events) => this.onEvents(error, events),
        {
          ignore,
        },
      );
    } catch (error) {
      throw watchError(error, this.root);
    }
    this.homeRelative = isInside(this.root, home) ? relative(this.root, home) : undefined;
  }

  private homeRelative: string | undefined;

  private onEvents(error: Error | null, events: Event[]): void {
    if (this.closed) return;
    if (error) {
      this.options.onError(watchError(error, this.root));
      return;
    }
    let matched = false;
    for (const event of events) {
      const path = relative(this.root, event.path);
      if (path === '' || path.startsWith('..') || isAbsolute(path)) continue;
      if (this.homeRelative !== undefined && isInside(this.homeRelative, path)) continue;
      const posix = sep === '/' ? path : path.split(sep).join('/');
      if (!this.matches(posix)) continue;
      matched = true;
      if (this.pending.has(posix)) continue;
      if (this.pending.size < MAX_CHANGED_PATHS) this.pending.add(posix);
      else this.more += 1;
    }
    if (matched) this.schedule();
  }

  // Trailing debounce: the burst ends once changes stop for debounceMs. A change storm that never
  // stops still makes a run every max(10 × debounce, 5 s), so it cannot starve the agent.
  private schedule(): void {
    const now = Date.now();
    if (this.timer === undefined) this.burstStartedAt = now;
    clearTimeout(this.timer);
    const maxWait = Math.max(this.options.debounceMs * 10, 5000);
    const wait = Math.min(
      this.options.debounceMs,
      Math.max(0, this.burstStartedAt + maxWait - now),
    );
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const paths = [...this.pending].sort();
    const more = this.more;
    this.pending.clear();
    this.more = 0;
    this.options.onBurst(paths, more);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}

function isInside(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * Whether any file in the tree matches the globs now (a glob that matches nothing is allowed,
 * but an agent says so). Looks at no more than `limit` entries and never follows symlinks.
 */
export async function anyMatch(
  root: string,
  patterns: readonly string[],
  ignore: readonly string[],
  signal?: AbortSignal,
  limit = 200_000,
): Promise<boolean | undefined> {
  const include = picomatch([...patterns], { dot: true });
  const exclude = picomatch([...DEFAULT_IGNORES, ...ignore], { dot: true });
  const skipDir = picomatch([...DEFAULT_IGNORED_DIRS, ...ignore], { dot: true });
  const queue = [''];
  let seen = 0;
  while (queue.length > 0) {
    if (signal?.aborted) return undefined;
    const dir = queue.shift() ?? '';
    let handle;
    try {
      handle = await opendir(join(root, dir));
    } catch {
      continue;
    }
    for await (const entry of handle) {
      if (++seen > limit) return undefined;
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skipDir(path)) queue.push(path);
      } else if (include(path) && !exclude(path)) {
        return true;
      }
    }
  }
  return false;
}
