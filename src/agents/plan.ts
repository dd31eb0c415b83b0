import { createHash } from 'node:crypto';

import type { ProjectFile, ServiceSpec } from './project-file.js';
import type { AgentSpec } from './spec.js';

export type StepAction = 'start' | 'replace' | 'leave' | 'stop';

export interface PlanStep {
  kind: 'service' | 'agent';
  name: string;
  action: StepAction;
}

/** What runs now, as `up` compares it with a file. */
export interface CurrentState {
  /** Services this file started before: the hash of what was applied, and whether it still runs. */
  services: { name: string; hash: string; live: boolean }[];
  /** Every agent there is: its definition, whether it is armed, and which file declared it. */
  agents: { name: string; spec: AgentSpec; armed: boolean; source: string | null }[];
}

/** A stable fingerprint of a definition: the same keys in any order hash the same. */
export function specHash(spec: ServiceSpec | AgentSpec): string {
  return createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What `bgjobs up` does with a file, like `docker compose up`: start what is new, replace what
 * changed, leave what did not, stop what this file declared before and declares no more.
 */
export function planUp(file: ProjectFile, source: string, current: CurrentState): PlanStep[] {
  const steps: PlanStep[] = [];
  const services = new Map(current.services.map((s) => [s.name, s]));
  for (const [name, spec] of Object.entries(file.services)) {
    const now = services.get(name);
    const action: StepAction = !now?.live
      ? 'start'
      : now.hash === specHash(spec)
        ? 'leave'
        : 'replace';
    steps.push({ kind: 'service', name, action });
  }
  for (const s of current.services) {
    if (!(s.name in file.services)) steps.push({ kind: 'service', name: s.name, action: 'stop' });
  }
  const agents = new Map(current.agents.map((a) => [a.name, a]));
  for (const [name, spec] of Object.entries(file.agents)) {
    const now = agents.get(name);
    const same = now !== undefined && now.armed && specHash(now.spec) === specHash(spec);
    steps.push({
      kind: 'agent',
      name,
      action: now === undefined ? 'start' : same ? 'leave' : 'replace',
    });
  }
  for (const a of current.agents) {
    if (a.source === source && !(a.name in file.agents))
      steps.push({ kind: 'agent', name: a.name, action: 'stop' });
  }
  return steps;
}

/** What `bgjobs down` does: stop every service and agent the file declares (and this file started). */
export function planDown(file: ProjectFile, source: string, current: CurrentState): PlanStep[] {
  const steps: PlanStep[] = [];
  const services = new Set([...Object.keys(file.services), ...current.services.map((s) => s.name)]);
  for (const name of [...services].sort()) steps.push({ kind: 'service', name, action: 'stop' });
  const agents = new Set(Object.keys(file.agents));
  for (const a of current.agents) if (a.source === source) agents.add(a.name);
  for (const name of [...agents].sort()) {
    if (current.agents.some((a) => a.name === name))
      steps.push({ kind: 'agent', name, action: 'stop' });
  }
  return steps;
}
