// Agent definitions: intervals, cron and tz, triggers and actions are checked with clear
// errors; schedules keep a grid and see what a stopped daemon missed.
import { describe, expect, it } from 'vitest';

import { parseInterval } from '../../src/agents/duration.js';
import { missedFire, nextFire } from '../../src/agents/schedule.js';
import { agentSpecSchema, type AgentSpecInput } from '../../src/agents/spec.js';
import { watchError } from '../../src/agents/watch-errors.js';

const parse = (input: AgentSpecInput) => agentSpecSchema.safeParse(input);
const messages = (input: AgentSpecInput) =>
  (parse(input).error?.issues ?? []).map((i) => i.message).join('; ');

describe('agent definitions', () => {
  it('parses intervals and refuses those under a second or without a unit', () => {
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(() => parseInterval('500ms')).toThrow(/under 1 s/);
    expect(() => parseInterval('10')).toThrow(/not an interval/);
  });

  it('needs one action and one trigger, and refuses unknown keys', () => {
    expect(parse({ name: 'a', command: 'true', every: '1m' }).success).toBe(true);
    expect(messages({ name: 'a', command: 'true' })).toMatch(/at least one trigger/);
    expect(messages({ name: 'a', command: 'true', prompt: 'hi', every: '1m' })).toMatch(
      /either command or prompt/,
    );
    expect(
      messages({ name: 'a', command: 'true', every: '1m', colour: 'red' } as AgentSpecInput),
    ).toMatch(/colour/);
    expect(messages({ name: '1bad', command: 'true', every: '1m' })).toMatch(/letter/);
  });

  it('checks cron expressions and time zones', () => {
    expect(
      parse({ name: 'a', command: 'true', cron: '0 3 * * *', tz: 'Europe/Paris' }).success,
    ).toBe(true);
    expect(messages({ name: 'a', command: 'true', cron: '61 * * * *' })).toMatch(/invalid cron/);
    expect(messages({ name: 'a', command: 'true', cron: '0 3 * * *', tz: 'Mars/Olympus' })).toMatch(
      /invalid cron/,
    );
  });
});

describe('schedules', () => {
  const spec = (input: Partial<AgentSpecInput>) =>
    agentSpecSchema.parse({ name: 'a', command: 'true', ...input });

  it('keeps an interval on its grid from the anchor', () => {
    expect(nextFire(spec({ every: '10s' }), 1_000, 0)).toEqual({ at: 10_000, kind: 'every' });
    expect(nextFire(spec({ every: '10s' }), 10_000, 0)).toEqual({ at: 20_000, kind: 'every' });
  });

  it('fires cron in its time zone', () => {
    const at = nextFire(spec({ cron: '0 3 * * *', tz: 'UTC' }), Date.UTC(2026, 0, 1, 12), 0)?.at;
    expect(new Date(at ?? 0).toISOString()).toBe('2026-01-02T03:00:00.000Z');
  });

  it('sees a schedule missed since the last fire', () => {
    const hourly = spec({ every: '1h' });
    expect(missedFire(hourly, 0, 3_600_000 + 1)?.kind).toBe('every');
    expect(missedFire(hourly, 0, 3_599_999)).toBeUndefined();
    expect(missedFire(hourly, null, 10 ** 12)).toBeUndefined();
  });

  it('names the inotify limit and its fix when it is reached', () => {
    const error = watchError(new Error('inotify_add_watch failed: No space left on device'), '/p');
    expect(error.code).toBe('limit_reached');
    expect(error.message).toMatch(/fs\.inotify\.max_user_watches/);
    expect(error.message).toMatch(/sysctl/);
  });
});
