import { blockCount } from '../../procfs/input-wait.js';
import { isWaitingForInput, membersOf, type JobInputRef } from '../../procfs/job-processes.js';
import { procStat } from '../../procfs/proc.js';

// Listing a job's processes scans all of /proc: refresh the list now and then, not every look.
const MEMBERS_EVERY_MS = 100;

/**
 * What a look at a job's processes says about the input it was given:
 * - `answered`: a process waits for input again, having woken since the input was written;
 * - `busy`: none waits for input (it computes, or waits for something else);
 * - `idle`: one waits for input but has not woken since: it has not read the input yet, or
 *   nothing was written;
 * - `unknown`: never seen waiting, here or before: the kernel cannot tell for this program.
 */
export type InputState = 'answered' | 'busy' | 'idle' | 'unknown';

export interface AnswerProbe {
  look(): InputState;
  /**
   * Whether all the job wrote before it was seen waiting again is in its output file. A pty
   * job's output reaches the file through script(1), which copies the terminal: once script
   * has blocked again since that look, it found nothing more to copy (the kernel flushes the
   * terminal's pending output before it lets a poll block). Other jobs write the file itself.
   */
  drained(): boolean;
}

/**
 * Follows whether a job has taken its input and is waiting for more. Made before the input is
 * written, it records how often each process has blocked so far: right after the write the
 * program may still sit in the very read that will return the input, so a waiting process
 * counts as having answered only once it has blocked again since (a new process, started after
 * the write, has too).
 */
export function answerProbe(job: ProbedJob, stdin: string): AnswerProbe {
  const copier = job.pty === null ? undefined : copierOf(job);
  const copy = new CopierWatch();
  let members = membersOf(job);
  let membersAt = Date.now();
  const before = new Map(members.map((pid) => [pid, blockCount(pid)]));
  let seenWaiting = isWaitingForInput(job, stdin, members);

  const hasWoken = (pid: number): boolean => {
    const then = before.get(pid);
    const now = blockCount(pid);
    return then === undefined || (now !== undefined && now > then);
  };

  return {
    look(): InputState {
      if (Date.now() - membersAt >= MEMBERS_EVERY_MS) {
        members = membersOf(job);
        membersAt = Date.now();
      }
      const waiting = members.filter((pid) => isWaitingForInput(job, stdin, [pid]));
      const state = waiting.length === 0 ? (seenWaiting ? 'busy' : 'unknown') : undefined;
      seenWaiting ||= waiting.length > 0;
      const answered = state === undefined && waiting.some(hasWoken);
      if (copier !== undefined) copy.look(copier, answered);
      return state ?? (answered ? 'answered' : 'idle');
    },
    drained: () => copier === undefined || copy.drained(),
  };
}

/**
 * Follows script(1) while the job waits again. It has copied all the job wrote before then
 * once it sleeps in its poll having blocked again since the job was first seen waiting, or
 * when it sleeps with the same block count at two looks running: woken by output but not yet
 * run (on a loaded machine), it is runnable, not asleep; stopped, it is neither.
 */
class CopierWatch {
  private mark: number | undefined;
  private last: { asleep: boolean; count: number } | undefined;
  private quiet = false;
  private gone = false;

  look(copier: number, answered: boolean): void {
    if (!answered) {
      this.mark = undefined;
      this.last = undefined;
      this.quiet = false;
      return;
    }
    const count = blockCount(copier);
    const asleep = procStat(copier)?.state === 'S';
    this.gone = count === undefined;
    if (count === undefined) return;
    this.mark ??= count;
    this.quiet = asleep && this.last?.asleep === true && this.last.count === count;
    this.last = { asleep, count };
  }

  drained(): boolean {
    if (this.gone) return true;
    const { last, mark } = this;
    return (
      last !== undefined && last.asleep && (this.quiet || (mark !== undefined && last.count > mark))
    );
  }
}

export type ProbedJob = JobInputRef & { monitorPid: number | null };

/**
 * The script(1) process of a pty job: the parent of the job's leader, a child of its monitor.
 * Undefined when that cannot be told (the job then counts as drained when seen waiting).
 */
function copierOf(job: ProbedJob): number | undefined {
  if (job.pid === null || job.monitorPid === null) return undefined;
  const leader = procStat(job.pid);
  if (leader === undefined || leader.startTime !== job.pidStart) return undefined;
  return procStat(leader.ppid)?.ppid === job.monitorPid ? leader.ppid : undefined;
}
