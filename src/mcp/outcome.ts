import type { Digest, WaitResult } from '../api/control.js';
import { isFinal } from '../api/job.js';
import { clip, describeStatus, formatDuration, jobLabel } from '../present/words.js';

/**
 * How `wait` (and `execute` with wait_s) tell what waiting found: the outcome first, one line a
 * job, then each job's last lines and matching lines, within a budget. The structured content
 * carries the same lines whole; the text never repeats them twice.
 */

/** Characters of output lines a summary shows at most; the structured content has them all. */
export const OUTPUT_BUDGET = 2000;
/** A shown output line is cut to this many characters. */
const LINE_CHARS = 240;

export const FIRED = {
  ready: 'ready',
  input: 'waiting for input',
  failed_pattern: 'its failure pattern matched',
  exited: 'ended',
  timeout: 'timed out',
} as const;

type WaitJob = WaitResult['jobs'][number];

/** `k3f9x2qa ("tests"): failed (exited with code 1)`, with what fired when not its end. */
export function outcomeLine(job: WaitJob): string {
  const fired = job.fired === null || job.fired === 'exited' ? '' : `, ${FIRED[job.fired]}`;
  const match = job.match === null ? '' : ` on "${clip(job.match, 120)}"`;
  return `${jobLabel(job)}: ${describeStatus(job)}${fired}${match}`;
}

/** The whole text of a wait: the outcome, each job's line, then their output within the budget. */
export function waitSummary(result: WaitResult, search: string | undefined): string {
  const waited = formatDuration(result.waited_ms);
  const live = result.jobs.filter((job) => !isFinal(job.status)).length;
  const head = result.done
    ? `Done after ${waited} (${FIRED[result.fired]}):`
    : `Not done after ${waited}; ${live} still live:`;
  const lines = [head, ...jobLines(result.jobs), ...outputLines(result.jobs, search)];
  if (!result.done) lines.push('Call wait again to keep waiting, or do other work meanwhile.');
  return lines.join('\n');
}

/**
 * One line a job whose wait ended — its output too, when that is one line — and one line for
 * the rest, which go on.
 */
function jobLines(jobs: readonly WaitJob[]): string[] {
  const pending = jobs.filter((job) => job.fired === null);
  const ended = jobs.filter((job) => job.fired !== null);
  const lines = ended.map((job) => endedLine(job));
  if (pending.length > 1 && ended.length > 0) {
    lines.push(`${pending.length} not yet: ${pending.map((job) => job.job_id).join(', ')}`);
  } else {
    lines.push(...pending.map(outcomeLine));
  }
  return lines;
}

/** A job's outcome line, then SUFFIX, then its output when that is one line. */
export function endedLine(job: WaitJob, suffix = ''): string {
  const inline = oneLine(job.output);
  return `${outcomeLine(job)}${suffix}${inline === undefined ? '' : ` | ${inline}`}`;
}

/** A job's output when it is a single line (or nothing) with no matches asked for. */
function oneLine(output: Digest | null): string | undefined {
  if (output === null || output.matches !== null) return undefined;
  const lines = `${output.stdout}${output.stderr}`.split('\n').filter((line) => line !== '');
  if (lines.length > 1) return undefined;
  return lines[0] === undefined ? 'no output' : clip(lines[0], LINE_CHARS);
}

/**
 * The output blocks of the jobs that have one, labelled by job when there are several, cut to
 * the budget with a note saying so.
 */
export function outputLines(jobs: readonly WaitJob[], search: string | undefined): string[] {
  const withOutput = jobs.filter((job) => job.output !== null && oneLine(job.output) === undefined);
  const lines: string[] = [];
  let left = OUTPUT_BUDGET;
  let cut = false;
  for (const job of withOutput) {
    const label = jobs.length > 1 ? `${job.job_id} ` : '';
    for (const line of digestLines(label, job.output as Digest, search)) {
      const shown = clip(line, LINE_CHARS);
      if (shown.length > left) {
        cut = true;
        break;
      }
      left -= shown.length + 1;
      lines.push(shown);
    }
    if (cut) break;
  }
  if (cut) lines.push('[output cut here to keep this short: the rest with tail, search or output]');
  return lines;
}

function digestLines(label: string, digest: Digest, search: string | undefined): string[] {
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = digest[stream].replace(/\n$/, '');
    if (text === '') continue;
    const count = text.split('\n').length;
    const cut = digest.truncated ? ', the first cut' : '';
    lines.push(`--- ${label}${stream}, last ${count} line${count === 1 ? '' : 's'}${cut} ---`);
    lines.push(...text.split('\n'));
  }
  if (digest.matches !== null) {
    const count = `${digest.matches.length}${digest.more_matches ? '+' : ''}`;
    const pattern = `/${search ?? ''}/`;
    lines.push(
      digest.matches.length === 0
        ? `--- ${label}no line matches ${pattern} ---`
        : `--- ${label}${count} line${count === '1' ? '' : 's'} match ${pattern} ---`,
    );
    lines.push(...digest.matches.map((m) => `${m.stream}:${m.line}: ${m.text}`));
  }
  return lines;
}
