import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';

import { BgError, ErrorCode, toBgError } from '../api/errors.js';
import { countBeforePunch } from './line-count.js';
import { WorkLoop } from '../work-loop.js';
import { isMissing } from './window.js';

/**
 * Keeping a job's output files to their cap on disk while the job still writes them. The job
 * appends straight to its files, so bgjobs never truncates them (that would shift offsets and
 * race the writer); it punches holes in the dropped prefix instead: the apparent size grows,
 * the blocks on disk stay about `cap`, and reads never look below the kept window.
 */

export const BLOCK_SIZE = 4096;
export const FALLOCATE = '/usr/bin/fallocate';

const run = promisify(execFile);

export function alignDown(offset: number, block = BLOCK_SIZE): number {
  return offset - (offset % block);
}

export interface PunchOptions {
  /** Told of each failure; a filesystem that cannot punch holes is reported once. Default: stderr. */
  onError?: ((error: BgError) => void) | undefined;
  /** Filesystems (by st_dev) found unable to punch holes; they are not tried again. */
  unsupported?: Set<number> | undefined;
  /** Punch only once at least this many new bytes can go. Default one block. */
  minBytes?: number | undefined;
  /** The fallocate(1) to run. */
  fallocate?: string | undefined;
}

const unsupportedEverywhere = new Set<number>();

/**
 * Frees the disk blocks of a capped stream's dropped prefix, `[0, size - cap)` in whole
 * 4096-byte blocks, with `fallocate --punch-hole` (Node has no binding for it). Punching a hole
 * keeps the apparent size, so offsets never shift and the job's O_APPEND writes go on. Never
 * throws: failures go to `onError`, and the previous offset is returned.
 *
 * @returns the offset the file is now punched up to; pass it back next time.
 * @example
 * punched = await punchDropped(paths.stdout, 10 * 1024 ** 2, punched);
 */
export async function punchDropped(
  path: string,
  cap: number,
  alreadyPunched: number,
  options: PunchOptions = {},
): Promise<number> {
  const report = options.onError ?? reportToStderr;
  const unsupported = options.unsupported ?? unsupportedEverywhere;
  try {
    const stats = await stat(path);
    const from = alignDown(alreadyPunched);
    const to = alignDown(Math.max(0, stats.size - cap));
    if (to - from < Math.max(options.minBytes ?? 0, BLOCK_SIZE)) return alreadyPunched;
    // Lines are counted before they go, so search can number lines from the job's first.
    await countBeforePunch(path, to);
    if (unsupported.has(stats.dev)) return alreadyPunched;
    const args = ['-p', '-o', String(from), '-l', String(to - from), '--', path];
    try {
      // A fixed locale, to recognise "Operation not supported" in fallocate's message.
      await run(options.fallocate ?? FALLOCATE, args, { timeout: 10_000, env: { LC_ALL: 'C' } });
      return to;
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.kind !== 'transient') unsupported.add(stats.dev);
      else if (await isGone(path)) return alreadyPunched;
      report(punchError(path, failure, options.fallocate ?? FALLOCATE, error));
      return alreadyPunched;
    }
  } catch (error) {
    if (!isMissing(error)) report(toBgError(error));
    return alreadyPunched;
  }
}

interface Failure {
  /** A missing tool or a filesystem without hole support cannot be helped by trying again. */
  kind: 'no_tool' | 'no_support' | 'transient';
  detail: string;
}

function describeFailure(error: unknown): Failure {
  const { code, stderr, message } = error as {
    code?: unknown;
    stderr?: unknown;
    message?: unknown;
  };
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : String(message);
  if (code === 'ENOENT' || code === 'EACCES') return { kind: 'no_tool', detail: text };
  if (/not supported/i.test(text)) return { kind: 'no_support', detail: text };
  return { kind: 'transient', detail: text };
}

// The job was removed while we punched: nothing to report.
async function isGone(path: string): Promise<boolean> {
  return stat(path).then(
    () => false,
    (error: unknown) => isMissing(error),
  );
}

const LEFT_ON_DISK =
  'so output past the cap is hidden but its disk space is not freed until the job is removed';

function punchError(path: string, failure: Failure, tool: string, cause: unknown): BgError {
  const message = {
    transient: `Could not free the dropped output of ${path} (${failure.detail}); it is retried on the next check.`,
    no_tool: `Cannot run ${tool} (${failure.detail}), ${LEFT_ON_DISK}. Install util-linux to fix this.`,
    no_support: `The filesystem of ${path} cannot punch holes (${failure.detail}), ${LEFT_ON_DISK}. Put BGJOBS_HOME on ext4, xfs, btrfs or tmpfs to fix this.`,
  }[failure.kind];
  return new BgError(ErrorCode.internal, message, { data: { path, failure: failure.kind }, cause });
}

function reportToStderr(error: BgError): void {
  console.error(`bgjobs: ${error.message}`);
}

/**
 * Blocks a file takes on disk (`st_blocks * 512`; holes do not count), 0 if it does not exist.
 *
 * @example
 * diskUsage(paths.stdout); // ≈ cap for a job that wrote far more than its cap
 */
export function diskUsage(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats ? stats.blocks * 512 : 0;
}

export interface OutputCapperOptions {
  /** How often tracked files are checked. Default 200 ms. */
  intervalMs?: number;
  /** Punch while a job runs only once this much more can go, to spawn fallocate less often. */
  minPunchBytes?: number;
  onError?: (error: BgError) => void;
  /** Passed to `punchDropped` (tests use them to fake a filesystem without hole support). */
  punch?: Pick<PunchOptions, 'unsupported' | 'fallocate'>;
}

interface Tracked {
  paths: string[];
  cap: number;
}

/**
 * Watches the output files of running jobs and punches out what falls below their window.
 *
 * @example
 * const capper = new OutputCapper();
 * capper.start();
 * capper.track(job.id, [paths.stdout, paths.stderr], job.maxOutputBytes);
 * capper.untrack(job.id); // when the job ends: one last punch
 * await capper.stop();
 */
export class OutputCapper {
  private readonly intervalMs: number;
  private readonly minPunchBytes: number;
  private readonly options: OutputCapperOptions;
  private readonly tracked = new Map<string, Tracked>();
  private readonly punched = new Map<string, number>();
  private readonly reported = new Map<string, string>();
  private readonly finalPunches = new Set<Promise<void>>();
  // Runs while the capper is started and some file is tracked: nothing wakes an idle daemon.
  private loop: WorkLoop | undefined;

  constructor(options: OutputCapperOptions = {}) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 200;
    this.minPunchBytes = options.minPunchBytes ?? 256 * 1024;
  }

  track(key: string, paths: readonly string[], cap: number): void {
    this.tracked.set(key, { paths: [...paths], cap });
    this.loop?.wake();
  }

  /**
   * A job's end: one last punch of everything past CAP in its files, whether or not they were
   * watched (a job that ended while no daemon ran), and they are watched no more.
   */
  finish(key: string, paths: readonly string[], cap: number): void {
    this.tracked.set(key, { paths: [...paths], cap });
    this.untrack(key);
  }

  /** Stops watching a job's files, after one last punch of everything that can go. */
  untrack(key: string): void {
    const entry = this.tracked.get(key);
    if (!entry) return;
    this.tracked.delete(key);
    const punched = new Map(entry.paths.map((path) => [path, this.punched.get(path) ?? 0]));
    for (const path of entry.paths) this.forget(path);
    const done = this.punchAll(entry, BLOCK_SIZE, punched).finally(() =>
      this.finalPunches.delete(done),
    );
    this.finalPunches.add(done);
  }

  start(): void {
    if (this.loop) return;
    this.loop = new WorkLoop({
      everyMs: this.intervalMs,
      ref: false,
      round: async () => {
        await this.checkNow();
        return this.tracked.size > 0;
      },
      onError: (error) => this.report('', toBgError(error)),
    });
    if (this.tracked.size > 0) this.loop.wake();
  }

  /** Stops the loop and waits for it and any last punches. Safe to call more than once. */
  async stop(): Promise<void> {
    const loop = this.loop;
    await loop?.stop();
    if (this.loop === loop) this.loop = undefined;
    await Promise.all([...this.finalPunches]);
  }

  /** One check of every tracked file now. Never throws. */
  async checkNow(): Promise<void> {
    for (const entry of [...this.tracked.values()]) await this.punchAll(entry, this.minPunchBytes);
  }

  private async punchAll(
    entry: Tracked,
    minBytes: number,
    punched: ReadonlyMap<string, number> = this.punched,
  ): Promise<void> {
    for (const path of entry.paths) {
      const next = await punchDropped(path, entry.cap, punched.get(path) ?? 0, {
        ...this.options.punch,
        minBytes,
        onError: (error) => this.report(path, error),
      });
      // A file untracked meanwhile is not remembered.
      if (this.isTracked(path) && next > (this.punched.get(path) ?? 0)) {
        this.punched.set(path, next);
        this.reported.delete(path);
      }
    }
  }

  // The same failure of the same file is reported once, not every interval.
  private report(path: string, error: BgError): void {
    if (this.reported.get(path) === error.message) return;
    if (this.isTracked(path)) this.reported.set(path, error.message);
    try {
      (this.options.onError ?? reportToStderr)(error);
    } catch {
      // A failing reporter must not end the loop.
    }
  }

  private isTracked(path: string): boolean {
    return [...this.tracked.values()].some((entry) => entry.paths.includes(path));
  }

  private forget(path: string): void {
    if (this.isTracked(path)) return;
    this.punched.delete(path);
    this.reported.delete(path);
  }
}
