import { blockCount } from '../../procfs/input-wait.js';
import { isWaitingForInput, membersOf, type JobInputRef } from '../../procfs/job-processes.js';

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
}

/**
 * Follows whether a job has taken its input and is waiting for more. Made before the input is
 * written, it records how often each process has blocked so far: right after the write the
 * program may still sit in the very read that will return the input, so a waiting process
 * counts as having answered only once it has blocked again since (a new process, started after
 * the write, has too).
 */
export function answerProbe(job: JobInputRef, stdin: string): AnswerProbe {
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
      if (waiting.length === 0) return seenWaiting ? 'busy' : 'unknown';
      seenWaiting = true;
      return waiting.some(hasWoken) ? 'answered' : 'idle';
    },
  };
}
