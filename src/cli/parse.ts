import { InvalidArgumentError } from 'commander';

import { SIGNAL_FORMS, signalName, type SignalName } from '../api/signals.js';
import { JOB_STATUSES, type JobStatus } from '../api/job-status.js';
import { keyBytes } from '../api/keys.js';

/**
 * Option parsers for commander. A bad value throws InvalidArgumentError, which commander reports
 * as a usage error (exit 2) naming the option.
 */

/** A whole number from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    return value;
  };
}

/** A number of seconds, fractions allowed, from 0 up. */
export function seconds(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('Expected a number of seconds, like 30 or 2.5.');
  }
  return value;
}

/** Collects repeated `--env KEY=VALUE` into a record. */
export function envPair(
  raw: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw);
  if (!match?.[1] || match[2] === undefined) {
    throw new InvalidArgumentError('Expected KEY=VALUE, with KEY a variable name like FOO_BAR.');
  }
  return { ...previous, [match[1]]: match[2] };
}

/** One status or several, comma-separated: `running`, `failed,killed`. */
export function statuses(raw: string): JobStatus[] {
  const wanted = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const bad = wanted.filter((part) => !(JOB_STATUSES as string[]).includes(part));
  if (wanted.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`Expected one or more of ${JOB_STATUSES.join(', ')}.`);
  }
  return wanted as JobStatus[];
}

/** A signal in any form `kill` accepts over MCP too: `term`, `SIGKILL`, `INT`, `15`. */
export function signal(raw: string): SignalName {
  const found = signalName(raw);
  if (found === undefined) throw new InvalidArgumentError(`Expected one of ${SIGNAL_FORMS}.`);
  return found;
}

/** A terminal size, columns by rows: `100x30`. */
export function ptySize(raw: string): { cols: number; rows: number } {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(raw);
  const cols = Number(match?.[1]);
  const rows = Number(match?.[2]);
  if (!match || cols < 10 || cols > 1000 || rows < 5 || rows > 500) {
    throw new InvalidArgumentError('Expected COLSxROWS, like 100x30 (10–1000 by 5–500).');
  }
  return { cols, rows };
}

/** Exit codes, comma-separated: `0,143`. */
export function exitCodes(raw: string): number[] {
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) > 255)) {
    throw new InvalidArgumentError('Expected exit codes from 0 to 255, comma-separated: 0,143.');
  }
  return parts.map(Number);
}

/** A key name `send --key` presses (repeatable), checked here so a typo is a usage error. */
export function keyName(raw: string, previous: string[] = []): string[] {
  try {
    keyBytes(raw);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  return [...previous, raw];
}

/** A job priority, -1000 to 1000. */
export const priority = (raw: string): number => {
  if (!/^-?\d+$/.test(raw.trim()))
    throw new InvalidArgumentError('a whole number from -1000 to 1000');
  const value = Number(raw);
  if (value < -1000 || value > 1000)
    throw new InvalidArgumentError('a whole number from -1000 to 1000');
  return value;
};

/** Collects a repeatable option's values. */
export function collect(raw: string, previous: string[] = []): string[] {
  return [...previous, raw];
}
