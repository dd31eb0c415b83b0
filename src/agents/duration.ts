import { BgError, ErrorCode } from '../api/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The shortest interval an `every` trigger takes: one second. */
export const MIN_INTERVAL_MS = 1000;

/**
 * Parses an interval such as `"30s"`, `"5m"`, `"1h"`, `"1h30m"` or `"1500ms"` into milliseconds.
 *
 * @example
 * parseInterval('5m'); // 300000
 */
export function parseInterval(raw: string): number {
  const text = raw.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(part)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
    consumed += match[0].length;
  }
  if (text === '' || consumed !== text.length || !Number.isFinite(total)) {
    throw new BgError(
      ErrorCode.invalidInput,
      `"${raw}" is not an interval. Write a number and a unit: "30s", "5m", "1h", "1h30m".`,
    );
  }
  if (total < MIN_INTERVAL_MS) {
    throw new BgError(
      ErrorCode.invalidInput,
      `The interval "${raw}" is under 1 s. Use "1s" or more (a watch trigger reacts to changes at once).`,
    );
  }
  return Math.round(total);
}
