import { isBgError } from '../api/errors.js';
import type { JobsApi } from '../api/contract.js';
import type { AgentHost, RunRequest, RunState } from './host.js';
import { settingsOf } from './caller-settings.js';
import { changedText, renderPrompt } from './run-text.js';

const LIVE = new Set(['queued', 'running']);

/**
 * The AgentHost over the public JobsApi: a run is an `execute` (or a `prompt`) like any
 * client's, its end comes from `watch`. Works in-process over the engine and over the socket.
 */
export function jobsHost(api: JobsApi): AgentHost {
  return {
    async startRun({ spec, callerEnv, trigger }: RunRequest) {
      // bgjobs' own markers come with the caller's environment, not as overrides: a definer
      // under an allowlist may not override, and they are the run's context, not its settings.
      const markers = {
        BGJOBS_AGENT: spec.name,
        BGJOBS_CHANGED: changedText(trigger),
        BGJOBS_TRIGGER: trigger.kind,
      };
      const caller = {
        cwd: spec.cwd ?? process.cwd(),
        env: { ...callerEnv, ...markers },
        reader: `agent:${spec.name}`,
        ...settingsOf(callerEnv),
      };
      const env = spec.env;
      if (spec.command !== undefined) {
        const { job_id } = await api.execute(
          { command: spec.command, cwd: spec.cwd, env, timeout_s: spec.timeout_s },
          { caller },
        );
        return { job_id };
      }
      const { job_id } = await api.prompt(
        {
          prompt: renderPrompt(spec.prompt ?? '', spec.name, trigger),
          model: spec.model,
          timeout_s: spec.timeout_s,
        },
        { caller: { ...caller, env: { ...caller.env, ...env } } },
      );
      return { job_id };
    },
    async stopJob(jobId) {
      await api.kill({ job_id: jobId, grace_s: 5 });
    },
    async removeJob(jobId) {
      await api.remove({ job_id: jobId });
    },
    async jobState(jobId): Promise<RunState | undefined> {
      try {
        const status = await api.status({ job_id: jobId });
        return {
          job_id: status.job_id,
          status: status.status,
          exit_code: status.exit_code,
          ended_at: status.ended_at,
          live: LIVE.has(status.status),
        };
      } catch (error) {
        if (isBgError(error) && error.code === 'not_found') return undefined;
        throw error;
      }
    },
    onJobEnded(listener) {
      const controller = new AbortController();
      void api.watch({
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'ended') listener(event.job_id);
        },
      });
      return () => controller.abort();
    },
  };
}
