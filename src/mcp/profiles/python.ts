import { constants } from 'node:os';

/**
 * How the Python servers the profiles stand in for render values, so a client that parsed their
 * text keeps parsing ours: `json.dumps(indent=2)`, `datetime.isoformat()`, pydantic's datetimes,
 * text-mode pipes (universal newlines) and `Popen.returncode`.
 */

/**
 * `json.dumps(value, indent=2)`: the same layout as JSON.stringify with 2 spaces, and every
 * character outside printable ASCII escaped as `\uXXXX` (ensure_ascii, lowercase hex).
 *
 * @example
 * pythonJsonDumps({ a: 'é' }); // '{\n  "a": "\\u00e9"\n}'
 */
export function pythonJsonDumps(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `datetime.now().isoformat()`: local time, no zone, microseconds only when not zero. */
export function pythonLocalIsoformat(ms: number): string {
  const d = new Date(ms);
  return isoformat(
    [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()],
    d.getMilliseconds(),
    '',
  );
}

/** How pydantic serialises an aware UTC datetime: like isoformat, with `Z` for the zone. */
export function pydanticUtcDatetime(ms: number): string {
  const d = new Date(ms);
  return isoformat(
    [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ],
    d.getUTCMilliseconds(),
    'Z',
  );
}

function isoformat(parts: number[], millis: number, zone: string): string {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
  const time = `${two(hour)}:${two(minute)}:${two(second)}`;
  const fraction = millis === 0 ? '' : `.${String(millis * 1000).padStart(6, '0')}`;
  return `${date}T${time}${fraction}${zone}`;
}

/** A pipe read in Python's text mode: `\r\n` and a lone `\r` both read as `\n`. */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Output kept as a list of lines, each stripped of its newline, then joined with `\n`: the text
 * without its final newline (a partial last line is kept, not held back).
 */
export function joinedLines(text: string): string {
  const normalized = universalNewlines(text);
  return normalized.endsWith('\n') ? normalized.slice(0, -1) : normalized;
}

/** The last `count` of those lines, joined the same way. */
export function lastLines(text: string, count: number): string {
  const joined = joinedLines(text);
  if (text === '') return '';
  return joined.split('\n').slice(-count).join('\n');
}

/**
 * `Popen.returncode`: the exit code, or minus the signal number for a death by signal; -1 when
 * neither is known (the originals' "result not available").
 */
export function pythonReturncode(job: { exit_code: number | null; signal: string | null }): number {
  if (job.exit_code !== null) return job.exit_code;
  const signals: Partial<Record<string, number>> = constants.signals;
  const number = job.signal === null ? undefined : signals[job.signal];
  return number === undefined ? -1 : -number;
}
