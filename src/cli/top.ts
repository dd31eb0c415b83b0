import type { JobEvent } from '../api/contract.js';
import type { JobSummary } from '../api/listing.js';
import { shortPath } from './format.js';
import type { Session } from './session.js';
import { formatTopFrame, type TopRow } from './top-frame.js';

/**
 * `bgjobs top` (and `ls --watch`): a live table of jobs, redrawn when the daemon's job event
 * stream says something happened — never by polling the daemon. A 1 s tick redraws the
 * durations from what is known. On a terminal it draws in place and ends on q or Ctrl-C; into a
 * pipe it writes one frame per change, separated by a blank line.
 */

export interface TopOptions {
  all?: boolean;
  limit: number;
  /** Draw one frame and end. */
  once?: boolean;
  /** Cut lines to this many characters (default: the terminal's width). */
  width?: number;
}

const TICK_MS = 1000;
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const HOME_AND_CLEAR = '\x1b[H\x1b[2J';

type Detail = Omit<TopRow, 'job'>;

/** The jobs and what is known of each, refreshed for the jobs events name. */
class TopState {
  jobs: JobSummary[] = [];
  scope = 'every project';
  private readonly details = new Map<string, Detail>();
  private readonly session: Session;
  private readonly options: TopOptions;

  constructor(session: Session, options: TopOptions) {
    this.session = session;
    this.options = options;
  }

  /** Lists the jobs again, and fetches the details of `changed` ones and of new ones. */
  async refresh(changed: ReadonlySet<string>): Promise<void> {
    const { api, call } = this.session;
    const all = this.options.all === true;
    const listed = await api.list({ all, limit: this.options.limit }, call);
    this.jobs = listed.jobs;
    if (!all)
      this.scope = listed.project === null ? 'this folder' : shortPath(listed.project, Infinity);
    const stale = this.jobs.filter(
      (job) => changed.has(job.job_id) || !this.details.has(job.job_id),
    );
    await Promise.all(stale.map((job) => this.fetchDetail(job)));
  }

  rows(): TopRow[] {
    return this.jobs.map((job) => ({ job, ...(this.details.get(job.job_id) ?? blank) }));
  }

  private async fetchDetail(job: JobSummary): Promise<void> {
    const { api, call } = this.session;
    try {
      const tail = await api.tail({ job_id: job.job_id, lines: 1 }, call);
      const lastLine = (tail.stdout.trim() === '' ? tail.stderr : tail.stdout).trim();
      const ports =
        job.status === 'running' ? (await api.status({ job_id: job.job_id }, call)).ports : [];
      this.details.set(job.job_id, { ports, lastLine });
    } catch {
      // Removed between the list and this read: the next list drops it.
    }
  }
}

const blank: Detail = { ports: [], lastLine: '' };

/** Runs the live view until q, Ctrl-C or (with `once`) its first frame. */
export async function runTop(session: Session, options: TopOptions): Promise<void> {
  const state = new TopState(session, options);
  const terminal = process.stdout.isTTY && !options.once;
  const draw = (): void => {
    const width = options.width ?? (process.stdout.isTTY ? process.stdout.columns : undefined);
    const frame = formatTopFrame(state.rows(), { width, scope: state.scope });
    process.stdout.write(terminal ? `${HOME_AND_CLEAR}${frame}\n` : `${frame}\n\n`);
  };
  if (options.once) {
    await state.refresh(new Set());
    process.stdout.write(
      `${formatTopFrame(state.rows(), { width: options.width, scope: state.scope })}\n`,
    );
    return;
  }
  const stop = new AbortController();
  const redraw = coalesced(async (changed) => {
    await state.refresh(changed);
    draw();
  });
  // Subscribed before the first list, so no change falls between the two.
  const watching = session.api.watch({
    signal: stop.signal,
    caller: session.call.caller,
    onEvent: (event: JobEvent) => redraw(event.job_id),
  });
  const release = holdTerminal(terminal, () => stop.abort());
  const tick = terminal ? setInterval(draw, TICK_MS) : undefined;
  try {
    redraw(null);
    await watching;
  } finally {
    clearInterval(tick);
    release();
  }
}

/**
 * Runs `refresh` for the jobs changed since its last run, one run at a time: changes that come
 * while it runs are gathered for the next.
 */
function coalesced(refresh: (changed: ReadonlySet<string>) => Promise<void>) {
  let running = false;
  let pending = new Set<string>();
  let again = false;
  const run = async (): Promise<void> => {
    running = true;
    while (again) {
      again = false;
      const changed = pending;
      pending = new Set();
      await refresh(changed).catch(() => undefined);
    }
    running = false;
  };
  return (jobId: string | null): void => {
    if (jobId !== null) pending.add(jobId);
    again = true;
    if (!running) void run();
  };
}

/** On a terminal: the alternate screen, and q or Ctrl-C to quit; anywhere, SIGINT quits. */
function holdTerminal(terminal: boolean, quit: () => void): () => void {
  const stdin = process.stdin;
  const onKey = (key: Buffer): void => {
    const text = key.toString();
    if (text === 'q' || text === 'Q' || text === '\x03') quit();
  };
  process.once('SIGINT', quit);
  if (terminal) {
    process.stdout.write(ENTER_SCREEN);
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      stdin.on('data', onKey);
      stdin.resume();
    }
  }
  return () => {
    process.off('SIGINT', quit);
    if (!terminal) return;
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    process.stdout.write(LEAVE_SCREEN);
  };
}
