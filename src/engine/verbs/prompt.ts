import { callerSchema, defaultCaller } from '../../api/caller.js';
import { parseInput, type CallOptions } from '../../api/contract.js';
import { promptInputSchema, type ExecuteResult, type PromptInput } from '../../api/start.js';
import { BgError, ErrorCode } from '../../api/errors.js';
import { promptEnv, resolveModel } from '../../llm/models.js';
import { printable, validateName } from '../admission/ids.js';
import { projectOf } from '../admission/project.js';
import type { RemoteSpec } from '../../api/specs.js';
import { admitJob, type AdmitContext } from './admit.js';

/** Prompt jobs retry twice by default: rate limits and dropped connections are common. */

/**
 * `prompt`: hands a prompt to a model as a background job and returns its id at once. The
 * model and its key are checked now, so a typo or a missing key is an error here, not a failed
 * job later. The answer streams into the job's stdout. Admitted like any job (see admit.ts).
 */
export async function promptJob(
  ctx: AdmitContext,
  raw: PromptInput,
  options: CallOptions,
): Promise<ExecuteResult> {
  const input = parseInput(promptInputSchema, raw);
  const caller = callerSchema.parse(options.caller ?? defaultCaller(ctx.config));
  const remote = input.on === undefined ? null : remoteSpecOf(ctx, input.on);
  // On a worker, the model is resolved with the worker's provider settings, not the caller's.
  const model =
    remote === null
      ? modelOf(input.model, caller.env, caller.lateModelErrors === true)
      : { spec: input.model?.trim() ?? caller.env.BGJOBS_DEFAULT_MODEL?.trim() ?? '' };
  const cwd = caller.workingDir ?? caller.cwd;
  const firstLine = input.prompt.split('\n', 1)[0] ?? '';
  const prepared = {
    command: `prompt ${model.spec || 'the default model'}: ${printable(firstLine, 80)}`,
    cwd,
    // A remote prompt keeps none of the caller's keys: they are the worker's.
    env: remote === null ? promptEnv(caller.env) : {},
    envOverrides: {},
    name: input.name === undefined ? null : validateName(input.name),
    timeoutS: input.timeout_s ?? caller.jobTimeoutS ?? null,
    ready: null,
    restart: null,
    port: null,
    pty: null,
    lifetime: 'persistent' as const,
    owner: null,
    project: projectOf(cwd, caller.roots),
  };
  const llm = {
    // '' on a worker: the worker's BGJOBS_DEFAULT_MODEL.
    model: model.spec,
    prompt: input.prompt,
    system: input.system ?? null,
    params: input.params ?? {},
  };
  const { retries } = input;
  return admitJob(
    ctx,
    prepared,
    {
      kind: remote === null ? 'llm' : 'remote',
      priority: input.priority,
      after: input.after,
      retries,
      llm,
      remote,
    },
    { replace: input.replace },
  );
}

/** Where a prompt with `on` runs: a worker of that label, reached through Redis. */
function remoteSpecOf(ctx: AdmitContext, on: string): RemoteSpec {
  if (ctx.config.redisUrl === undefined) {
    throw new BgError(
      ErrorCode.invalidInput,
      `No worker can be reached: this daemon has no BGJOBS_REDIS_URL. Set it (and restart the daemon) to run prompts on "${on}", or leave out on.`,
    );
  }
  return { on, cwd: null, env_from_worker: [], worker: null, base: null, kind: 'llm' };
}

/**
 * The model a prompt names, checked now; with LATE, a name that cannot be resolved is kept as
 * given, and the job fails when it runs (the runner resolves it again and says why). A missing
 * key is refused either way: it is the caller's setting, not the task's.
 */
function modelOf(
  spec: string | undefined,
  env: Record<string, string>,
  late: boolean,
): { spec: string } {
  try {
    return resolveModel(spec, env);
  } catch (error) {
    const unresolvable = error instanceof BgError && error.code === ErrorCode.invalidInput;
    if (!late || !unresolvable || spec === undefined) throw error;
    return { spec: spec.trim() };
  }
}
