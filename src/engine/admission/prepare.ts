import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Config } from '../../config.js';
import { BgError, ErrorCode } from '../../api/errors.js';
import { checkAllowed } from './allowlist.js';
import type { z } from 'zod';

import { compileSearchRegex } from '../../logs/regex.js';
import { callerSchema, type Caller } from '../../api/caller.js';
import { assertCommandSize } from '../../api/limits.js';
import type { executeInputSchema } from '../../api/start.js';
import type { JobRecord } from '../model.js';
import { projectOf } from './project.js';
import { printable, validateName } from './ids.js';
import { defaultCaller } from '../../api/caller.js';

/**
 * The environment bgjobs gives every job on top of the caller's: output stays visible without
 * a terminal and nothing waits on a pager. A job's own `env` overrides any of these.
 */
export const JOB_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  PYTHONUNBUFFERED: '1',
  PAGER: 'cat',
  GIT_PAGER: 'cat',
  TERM: 'dumb',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What a job runs with: the fields of its record, and `env`, the whole environment it starts
 * with, which is kept in its folder while it is live and never in the store.
 */
export type PreparedJob = { env: Record<string, string> } & Pick<
  JobRecord,
  | 'command'
  | 'cwd'
  | 'envOverrides'
  | 'name'
  | 'timeoutS'
  | 'ready'
  | 'restart'
  | 'port'
  | 'pty'
  | 'lifetime'
  | 'owner'
  | 'project'
>;

/** Checks an `execute` request and works out what exactly the job will run with. */
export function prepareJob(
  input: z.output<typeof executeInputSchema>,
  callerInput: Caller | undefined,
  config: Config,
): PreparedJob {
  const caller = callerSchema.parse(callerInput ?? defaultCaller(config));
  const command = input.command;
  if (command.trim() === '') {
    throw new BgError(
      ErrorCode.invalidInput,
      'The command is empty. Pass the shell command line to run.',
    );
  }
  assertCommandSize(command);
  if (command.includes('\0')) {
    throw new BgError(
      ErrorCode.invalidInput,
      'The command contains a NUL byte, which no shell can run.',
    );
  }
  const envOverrides = checkEnv(input.env ?? {});
  const cwd = checkCwd(input.cwd, caller);
  if (caller.allowedCommands && caller.allowedCommands.length > 0) {
    checkAllowed(command, caller.allowedCommands, {
      mode: caller.allowRedirects ?? 'cwd',
      cwd,
    });
    // LD_PRELOAD, PATH, BASH_ENV, NODE_OPTIONS… would change what an allowed command runs.
    if (Object.keys(envOverrides).length > 0) {
      throw new BgError(
        ErrorCode.notAllowed,
        'Environment overrides are refused while a command allowlist (BGJOBS_ALLOWED_COMMANDS) is set, because they can change what an allowed command runs. Run the command without env.',
      );
    }
  }
  if (input.ready?.pattern !== undefined) compileSearchRegex(input.ready.pattern);
  if (input.ready?.fail_pattern !== undefined) compileSearchRegex(input.ready.fail_pattern);
  if (input.lifetime === 'session' && caller.owner === undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      'lifetime "session" needs an MCP session to belong to; this caller has none. Use "persistent".',
    );
  }
  const pty = input.pty === false ? null : input.pty === true ? { cols: 120, rows: 40 } : input.pty;
  if (pty !== null && !existsSync(SCRIPT)) {
    throw new BgError(
      ErrorCode.invalidInput,
      `pty needs ${SCRIPT} (util-linux script), which is not installed. Install util-linux, or run without pty.`,
    );
  }
  return {
    command,
    cwd,
    env: { ...jobBaseEnv(caller.env, pty !== null), ...envOverrides },
    envOverrides,
    name: input.name === undefined ? null : validateName(input.name),
    timeoutS: input.timeout_s ?? caller.jobTimeoutS ?? null,
    ready: input.ready ?? null,
    restart: input.restart === undefined || input.restart.policy === 'no' ? null : input.restart,
    port: input.port ?? null,
    pty,
    lifetime: input.lifetime,
    owner: input.lifetime === 'session' ? (caller.owner ?? null) : null,
    project: projectOf(cwd, caller.roots),
  };
}

/** The caller for in-process use: this process's environment and working directory. */
/** The program that gives a `pty` job its terminal. */
const SCRIPT = '/usr/bin/script';

/**
 * The caller's environment with the job defaults on top. In a terminal a job gets
 * TERM=xterm-256color (what the screen emulator speaks), and loses COLUMNS/LINES inherited from
 * the caller, which would override the terminal's real size.
 */
function jobBaseEnv(callerEnv: Record<string, string>, pty: boolean): Record<string, string> {
  const env: Record<string, string> = { ...callerEnv, ...JOB_ENV_DEFAULTS };
  delete env.BGJOBS_JOB_COMMAND;
  if (pty) {
    env.TERM = 'xterm-256color';
    delete env.COLUMNS;
    delete env.LINES;
  }
  return env;
}

function checkCwd(
  requested: string | undefined,
  caller: { cwd: string; workingDir?: string | undefined },
): string {
  const base = caller.workingDir ?? caller.cwd;
  const cwd = requested === undefined ? base : resolve(base, requested);
  let isDir: boolean;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new BgError(
      ErrorCode.invalidInput,
      `Working directory "${printable(cwd, 200)}" does not exist or is not a directory. Pass an existing directory as cwd.`,
    );
  }
  return cwd;
}

function checkEnv(env: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      throw new BgError(
        ErrorCode.invalidInput,
        `Environment variable name "${printable(key)}" is not valid: use letters, digits and _, not starting with a digit.`,
      );
    }
    if (value.includes('\0')) {
      throw new BgError(ErrorCode.invalidInput, `Environment variable ${key} contains a NUL byte.`);
    }
  }
  return env;
}
