import { dirname, resolve } from 'node:path';

import type { Caller } from '../api/caller.js';
import type { JobsApi } from '../api/contract.js';
import type { AgentStore } from '../store/agent-store.js';
import type { Agents } from './agents.js';
import { upInputSchema, type UpInput, type UpResult } from './api.js';
import { planDown, planUp, specHash, type CurrentState, type PlanStep } from './plan.js';
import { parseProjectFile, type ProjectFile } from './project-file.js';

export interface UpContext {
  agents: Agents;
  api: JobsApi;
  store: AgentStore;
  caller: Caller;
}

/** `bgjobs up`: applies a project file; an invalid file changes nothing. */
export async function applyUp(raw: UpInput, ctx: UpContext): Promise<UpResult> {
  const { file, text } = upInputSchema.parse(raw);
  const project = resolvePaths(parseProjectFile(text, file), dirname(file));
  const steps = planUp(project, file, await currentState(file, ctx));
  return run(file, project, steps, ctx);
}

/** `bgjobs down`: stops what the file declares (and what it started before). */
export async function applyDown(raw: UpInput, ctx: UpContext): Promise<UpResult> {
  const { file, text } = upInputSchema.parse(raw);
  const project = resolvePaths(parseProjectFile(text, file), dirname(file));
  const steps = planDown(project, file, await currentState(file, ctx));
  return run(file, project, steps, ctx);
}

// Paths in a file are relative to the file's folder, wherever `bgjobs up` is run from.
function resolvePaths(project: ProjectFile, root: string): ProjectFile {
  const services = Object.fromEntries(
    Object.entries(project.services).map(([name, spec]) => [
      name,
      { ...spec, cwd: resolve(root, spec.cwd ?? '.') },
    ]),
  );
  const agents = Object.fromEntries(
    Object.entries(project.agents).map(([name, spec]) => [
      name,
      { ...spec, cwd: resolve(root, spec.cwd ?? '.') },
    ]),
  );
  return { services, agents };
}

async function currentState(file: string, ctx: UpContext): Promise<CurrentState> {
  const services = await Promise.all(
    ctx.store.services(file).map(async (s) => {
      const status = await ctx.api.status({ job_id: s.job_id }).catch(() => undefined);
      const live =
        status !== undefined && (status.status === 'running' || status.status === 'queued');
      return { name: s.name, hash: s.hash, live };
    }),
  );
  const { agents } = await ctx.agents.list();
  const specs = agents.map((info) => ({
    name: info.name,
    spec: ctx.agents.spec(info.name)!,
    armed: info.state === 'armed' || info.state === 'running',
    source: info.source,
  }));
  return { services, agents: specs };
}

async function run(
  file: string,
  project: ProjectFile,
  steps: PlanStep[],
  ctx: UpContext,
): Promise<UpResult> {
  const results: UpResult['steps'] = [];
  for (const step of steps) {
    let jobId: string | null = null;
    let error: string | null = null;
    try {
      jobId = await apply(step, file, project, ctx);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    results.push({ ...step, job_id: jobId, error });
  }
  return {
    file,
    steps: results,
    changed: results.some((s) => s.action !== 'leave' && s.error === null),
  };
}

async function apply(
  step: PlanStep,
  file: string,
  project: ProjectFile,
  ctx: UpContext,
): Promise<string | null> {
  const caller = { ...ctx.caller, cwd: dirname(file) };
  if (step.kind === 'service') {
    const stored = ctx.store.services(file).find((s) => s.name === step.name);
    if (step.action === 'leave') return stored?.job_id ?? null;
    if (step.action === 'stop') {
      if (stored) await ctx.api.kill({ job_id: stored.job_id }).catch(() => undefined);
      else await ctx.api.kill({ job_id: step.name }).catch(() => undefined);
      ctx.store.deleteService(file, step.name);
      return stored?.job_id ?? null;
    }
    const spec = project.services[step.name]!;
    const { job_id } = await ctx.api.execute(
      { ...spec, name: step.name, replace: true },
      { caller },
    );
    ctx.store.putService(file, { name: step.name, hash: specHash(spec), job_id });
    return job_id;
  }
  if (step.action === 'leave') return null;
  if (step.action === 'stop') {
    await ctx.agents.stop({ name: step.name, remove: true });
    return null;
  }
  await ctx.agents.start({ ...project.agents[step.name]!, replace: true }, caller, file);
  return null;
}
