import { BgError, ErrorCode } from '../api/errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/**
 * The daemon's log. By default a text line per event on stderr; `bgjobs serve` asks for one
 * JSON object per line on stdout (for journald and containers), from LOG_LEVEL (default info) up.
 */
export function makeLogger(options: { json: boolean; level?: string }): Logger {
  const raw = (options.level ?? 'info').toLowerCase();
  const min = LOG_LEVELS.indexOf(raw as LogLevel);
  if (min < 0) {
    throw new BgError(
      ErrorCode.config,
      `LOG_LEVEL "${options.level}" is not one of ${LOG_LEVELS.join(', ')}.`,
    );
  }
  return (level, message, data) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const time = new Date().toISOString();
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ time, level, pid: process.pid, msg: message, ...data })}\n`,
      );
    } else {
      process.stderr.write(`${time} bgjobs daemon[${process.pid}] ${message}\n`);
    }
  };
}
