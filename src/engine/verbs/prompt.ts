import { BgError, ErrorCode } from '../../api/errors.js';
import { promptEnv, resolveModel } from '../../llm/models.js';
import { callerSchema, parseInput, type CallOptions } from '../../api/contract.js';
import { isFinal } from '../../api/job.js';
import { promptInputSchema, type ExecuteResult, type PromptInput } from '../../api/start.js';
import type { Engine } from '../engine.js';
import { newJobRecord, resolveAfter } from './execute.js';
import { printable, validateName } from '../admission/ids.js';
import { defaultCaller } from '../admission/prepare.js';
import { projectOf } from '../admission/project.js';

/** Prompt jobs retry twice by default: rate limits and dropped connections are common. */
const DEFAULT_PROMPT_RETRIES = 2;

/**
 * `prompt`: hands a prompt to a model as a background job and returns its id at once. The
 * model and its key are checked now, so a typo or a missing key is an error here, not a failed
 * job later. The answer streams into the job's stdout.
 */
export async function promptJob(
  engine: Engine,
  raw: PromptInput,
  options: CallOptions,
): Promise<ExecuteResult> {
  const input = parseInput(promptInputSchema, raw);
  const caller = callerSchema.parse(options.caller ?? defaultCaller(engine.config));
  const model = resolveModel(input.model, caller.env);
  const name = input.name === undefined ? null : validateName(input.name);
  if (name !== null) {
    const live = engine.store.findByName(name);
    if (live && !isFinal(live.status)) {
      throw new BgError(
        ErrorCode.nameTaken,
        `A live job is already named "${name}" (${live.id}). Pick another name.`,
        {
          data: { job_id: live.id },
        },
      );
    }
  }
  if (engine.store.countByStatus('queued') >= engine.config.maxQueue) {
    throw new BgError(
      ErrorCode.limitReached,
      `The queue is full (${engine.config.maxQueue} jobs waiting). Try again later.`,
    );
  }
  const cwd = caller.workingDir ?? caller.cwd;
  const firstLine = input.prompt.split('\n', 1)[0] ?? '';
  const job = newJobRecord(
    engine,
    {
      command: `prompt ${model.spec}: ${printable(firstLine, 80)}`,
      cwd,
      env: promptEnv(caller.env),
      envOverrides: {},
      name,
      timeoutS: input.timeout_s ?? caller.jobTimeoutS ?? null,
      ready: null,
      restart: null,
      port: null,
      pty: null,
      lifetime: 'persistent',
      sessionId: null,
      project: projectOf(cwd, caller.roots),
    },
    {
      kind: 'llm',
      priority: input.priority,
      after: resolveAfter(engine, input.after),
      retries: raw.retries === undefined ? DEFAULT_PROMPT_RETRIES : input.retries,
      llm: {
        model: model.spec,
        prompt: input.prompt,
        system: input.system ?? null,
        params: input.params ?? {},
      },
    },
  );
  engine.makeDir(job.id);
  engine.store.insert(job);
  const started = (await engine.pump(job.id)) ?? engine.store.get(job.id) ?? job;
  return {
    job_id: started.id,
    name: started.name,
    status: started.status,
    pid: null,
    queue_position: started.status === 'queued' ? engine.queuePosition(started) : null,
    existing: false,
    replaced: null,
  };
}
