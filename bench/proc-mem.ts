// Memory of a process as Linux reports it: RSS from /proc/PID/status, PSS from smaps_rollup.
import { readFileSync } from 'node:fs';

const MB = 1024 * 1024;

function field(path: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? (Number(match[1]) * 1024) / MB : undefined;
}

/** Resident set size in MB (shared pages counted in full); undefined if the process is gone. */
export function rssMb(pid: number): number | undefined {
  return field(`/proc/${pid}/status`, 'VmRSS');
}

/**
 * Proportional set size in MB: each shared page divided among the processes sharing it, so a
 * sum over many processes is what they really cost together.
 */
export function pssMb(pid: number): number | undefined {
  return field(`/proc/${pid}/smaps_rollup`, 'Pss');
}

/** Samples a process's RSS at a fixed interval until stopped. */
export class RssSampler {
  readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
  }

  start(intervalMs = 20): void {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  private sample(): void {
    const rss = rssMb(this.pid);
    if (rss !== undefined) this.samples.push(rss);
  }
}
