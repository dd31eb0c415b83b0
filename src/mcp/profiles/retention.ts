import { BgError, ErrorCode } from '../../api/errors.js';

/** The variable that says how long a profile remembers a finished command, in seconds. */
export const PROFILE_RETENTION_VAR = 'BGJOBS_PROFILE_RETENTION';
// background-command-executor forgot a completed process after an hour.
const DEFAULT_RETENTION_S = 3600;

/**
 * How long, in ms, a drop-in profile that forgets finished commands (background-command-executor)
 * still shows one after it ended; null for `0`: as long as bgjobs keeps the job
 * (BGJOBS_RETENTION). Read from the environment of the MCP server; a bad value is a `config`
 * error, which `bgjobs mcp --profile` reports at start.
 *
 * @example
 * profileRetentionMs({}); // 3_600_000
 * profileRetentionMs({ BGJOBS_PROFILE_RETENTION: '0' }); // null
 */
export function profileRetentionMs(env: Readonly<Record<string, string>>): number | null {
  const raw = env[PROFILE_RETENTION_VAR]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_RETENTION_S * 1000;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(seconds)) {
    throw new BgError(
      ErrorCode.config,
      `Setting ${PROFILE_RETENTION_VAR}="${raw}" is not valid: expected whole seconds (0: keep finished commands as long as bgjobs does). Fix or unset it and start again.`,
      { data: { setting: PROFILE_RETENTION_VAR } },
    );
  }
  return seconds === 0 ? null : seconds * 1000;
}

/** True when a job that ended at ENDEDAT (ISO) is past the retention, so the profile forgot it. */
export function isForgotten(
  endedAt: string | null,
  retentionMs: number | null,
  now = Date.now(),
): boolean {
  if (endedAt === null || retentionMs === null) return false;
  return now - Date.parse(endedAt) > retentionMs;
}
