import type { Caller } from '../api/caller.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { callerConfig, loadConfig } from '../config.js';
import { checkAllowed } from '../engine/admission/allowlist.js';

/**
 * The caller settings an agent's runs are held to: those of whoever defined it, read again from
 * the environment kept for its runs (the allowlist, redirections, default timeout). A run is an
 * `execute` like any client's, so it is admitted under exactly what its definer was.
 */
export function settingsOf(
  env: Record<string, string>,
): Pick<Caller, 'allowedCommands' | 'allowRedirects' | 'jobTimeoutS'> {
  const { allowedCommands, allowRedirects, jobTimeoutS } = callerConfig(loadConfig(env));
  return { allowedCommands, allowRedirects, jobTimeoutS };
}

/**
 * An agent its definer's allowlist would refuse at every run is refused when it is defined: a
 * command the allowlist refuses, or environment overrides (refused under an allowlist).
 */
export function checkAgentCommand(
  spec: { command?: string | undefined; env?: Record<string, string> | undefined },
  env: Record<string, string>,
): void {
  const { allowedCommands } = settingsOf(env);
  if (spec.command === undefined || allowedCommands === undefined) return;
  if (spec.env !== undefined && Object.keys(spec.env).length > 0) {
    throw new BgError(
      ErrorCode.notAllowed,
      'Environment overrides are refused while a command allowlist (BGJOBS_ALLOWED_COMMANDS) is set, because they can change what an allowed command runs. Define the agent without env.',
    );
  }
  checkAllowed(spec.command, allowedCommands);
}
