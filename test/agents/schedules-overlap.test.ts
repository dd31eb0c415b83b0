// Schedules and overlap: `every` keeps its grid; skip skips while a run goes on, queue keeps one
// pending run, restart stops the running one; stop_after_failures stops a failing agent; a
// restarted engine re-arms agents with no duplicate run, and run_once makes up a missed schedule.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { until } from '../helpers/home.js';
import { openAgents, type AgentsHarness } from './agents-harness.js';

let h: AgentsHarness;
beforeEach(async () => {
  h = await openAgents();
});
afterEach(async () => h.close());

async function job(id: string | undefined) {
  return h.engine.engine.status({ job_id: id ?? '' });
}

describe('every', () => {
  it('runs on a one-second grid, never twice for one tick', async () => {
    await h.agents.start({ name: 'tick', command: 'true', every: '1s' }, h.caller);
    const runs = await h.waitRuns('tick', 3);
    // Each run says when its tick fell due: on a one-second grid, never twice for one tick (a
    // tick that finds the previous run still going is skipped, so a gap may be whole seconds).
    const due = runs.map((id) => Date.parse(h.store.runOf(id)?.trigger.at ?? ''));
    for (let i = 1; i < due.length; i++) {
      const gap = due[i]! - due[i - 1]!;
      expect(gap > 0 && gap % 1000 === 0, `gap ${gap} ms`).toBe(true);
    }
    expect(h.store.runOf(runs[0]!)?.trigger.kind).toBe('every');
    const [info] = (await h.agents.list({ name: 'tick' })).agents;
    expect(info?.next_run_at).not.toBeNull();
  });
});

describe('overlap', () => {
  it('skip: no run starts while a slow run goes on', async () => {
    await h.agents.start({ name: 'slow', command: 'sleep 2.5', every: '1s' }, h.caller);
    const [first, second] = await h.waitRuns('slow', 2, 30_000);
    const ended = Date.parse((await job(first)).ended_at ?? '');
    expect(Date.parse((await job(second)).created_at)).toBeGreaterThanOrEqual(ended);
  });

  it('queue: fires during a run leave exactly one pending run', async () => {
    await h.agents.start(
      { name: 'q', command: 'sleep 1', on_start: true, overlap: 'queue' },
      h.caller,
    );
    await until(() => h.runs('q').length === 1, 10_000, 'the on_start run');
    const fired = await Promise.all([
      h.agents.run({ name: 'q' }),
      h.agents.run({ name: 'q' }),
      h.agents.run({ name: 'q' }),
    ]);
    expect(fired.every((result) => result.job_id === null)).toBe(true);
    await h.waitRuns('q', 2);
    // Had the three fires queued three runs, this manual run would not be the third.
    const third = await h.agents.run({ name: 'q' });
    expect(third.job_id).not.toBeNull();
    expect(h.runs('q')).toEqual([...h.runs('q').slice(0, 2), third.job_id]);
  });

  it('restart: a change during a run stops it and starts anew', async () => {
    await h.agents.start(
      { name: 'server', command: 'sleep 30', watch: '*.txt', debounce_ms: 50, overlap: 'restart' },
      h.caller,
    );
    writeFileSync(join(h.project, 'a.txt'), '1');
    await until(
      async () =>
        h.runs('server').length === 1 && (await job(h.runs('server')[0])).status === 'running',
    );
    writeFileSync(join(h.project, 'a.txt'), '2');
    await until(() => h.runs('server').length === 2, 20_000, 'the restarted run');
    const [first, second] = h.runs('server');
    expect((await job(first)).status).toBe('killed');
    expect(['running', 'queued']).toContain((await job(second)).status);
    await h.agents.stop({ name: 'server' });
    await until(
      async () => (await job(second)).status === 'killed',
      20_000,
      'the run stopped with its agent',
    );
  });
});

describe('failures and restarts', () => {
  it('stop_after_failures stops an agent whose runs keep failing', async () => {
    await h.agents.start(
      { name: 'bad', command: 'exit 3', every: '1s', stop_after_failures: 2 },
      h.caller,
    );
    const info = await until(async () => {
      const [agent] = (await h.agents.list({ name: 'bad' })).agents;
      return agent?.state === 'failed' ? agent : undefined;
    }, 20_000);
    expect(info.runs).toBe(2);
    expect(info.last_run?.exit_code).toBe(3);
    expect(info.error).toMatch(/stopped after 2 failed runs/);
    expect(h.agents.armedCount).toBe(0);
  });

  it('a restarted engine re-arms agents: the next change runs once', async () => {
    await h.agents.start(
      { name: 'w', command: 'printf "%s" "$BGJOBS_CHANGED"', watch: '*.md', debounce_ms: 100 },
      h.caller,
    );
    writeFileSync(join(h.project, 'one.md'), '1');
    await h.waitRuns('w', 1);
    await h.restart();
    expect(h.agents.armedCount).toBe(1);
    writeFileSync(join(h.project, 'two.md'), '2');
    const runs = await h.waitRuns('w', 2);
    expect(runs).toHaveLength(2);
    expect(await h.stdout(runs[1]!)).toBe('two.md');
  });

  it('missed: "run_once" makes up a schedule missed while no daemon ran, once', async () => {
    await h.agents.start(
      { name: 'nightly', command: 'true', every: '1h', missed: 'run_once' },
      h.caller,
    );
    h.store.update('nightly', { last_fire_at: Date.now() - 3 * 3_600_000 });
    await h.restart();
    const [run] = await h.waitRuns('nightly', 1);
    expect(h.store.runOf(run!)?.trigger.kind).toBe('every');
    const [info] = (await h.agents.list({ name: 'nightly' })).agents;
    expect(Date.parse(info?.next_run_at ?? '')).toBeGreaterThan(Date.now());
  });
});
