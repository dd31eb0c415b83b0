import { Cron } from 'croner';

import { parseInterval } from './duration.js';
import type { AgentSpec } from './spec.js';

export type ScheduleKind = 'every' | 'cron';

/** The next time a schedule fires after `after` (ms), and which one. */
export interface NextFire {
  at: number;
  kind: ScheduleKind;
}

/**
 * When an agent's schedules fire next, strictly after `after`. An interval keeps to its grid,
 * anchored at `anchor` (the last time it fired, or when it was armed), so a restarted daemon
 * neither shifts nor doubles it.
 */
export function nextFire(spec: AgentSpec, after: number, anchor: number): NextFire | undefined {
  const candidates: NextFire[] = [];
  if (spec.every !== undefined) {
    const interval = parseInterval(spec.every);
    const steps = Math.max(1, Math.floor((after - anchor) / interval) + 1);
    candidates.push({ at: anchor + steps * interval, kind: 'every' });
  }
  if (spec.cron !== undefined) {
    const cron = new Cron(spec.cron, { timezone: spec.tz, paused: true });
    const next = cron.nextRun(new Date(after));
    cron.stop();
    if (next) candidates.push({ at: next.getTime(), kind: 'cron' });
  }
  candidates.sort((a, b) => a.at - b.at);
  return candidates[0];
}

/** The schedule a daemon missed while it was down: one that was due after lastFire, before now. */
export function missedFire(
  spec: AgentSpec,
  lastFire: number | null,
  now: number,
): NextFire | undefined {
  if (lastFire === null) return undefined;
  const next = nextFire(spec, lastFire, lastFire);
  return next !== undefined && next.at <= now ? next : undefined;
}
