// Proves: kill ends a job's whole process tree (background children, a three-level tree, a
// job that ignores SIGTERM) within the grace plus a margin, leaving no process with the
// test's marker; the first reason wins (killed, not failed); a queued job is killed without
// running; killing an ended job says so.
import { spawn } from 'node:child_process';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { procStat } from '../../src/procfs/proc.js';

import {
  openEngine,
  processesWithMarker,
  uniqueMarker,
  type EngineHarness,
} from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine({ BGJOBS_MAX_JOBS: '3' });
});
afterEach(async () => {
  await h.close();
});

async function startAndSee(command: string, marker: string, count: number) {
  const started = await h.engine.execute(
    { command, env: { BGJOBS_TEST_MARKER: marker } },
    { caller: h.caller },
  );
  await until(
    () => processesWithMarker(marker).length >= count,
    10_000,
    `${count} marked processes`,
  );
  return started;
}

describe('kill', () => {
  it('ends background children: sleep & sleep & wait', async () => {
    const marker = uniqueMarker();
    const job = await startAndSee('sleep 1000 & sleep 1000 & wait', marker, 2);
    const result = await h.engine.kill({ job_id: job.job_id, grace_s: 2 });
    // SIGTERM ended them all: no SIGKILL was needed after the grace.
    expect(result).toMatchObject({ status: 'killed', already_ended: false, escalated: false });
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('ends a three-level nested tree', async () => {
    const marker = uniqueMarker();
    const job = await startAndSee('sh test/fixtures/nested-tree.sh', marker, 5);
    const result = await h.engine.kill({ job_id: job.job_id, grace_s: 2 });
    expect(result.status).toBe('killed');
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('escalates to SIGKILL for a job that traps SIGTERM, after the grace', async () => {
    const marker = uniqueMarker();
    const job = await startAndSee('exec sh test/fixtures/trap-term.sh', marker, 2);
    // The monitor carries the marker too: only the fixture's "ready" says its trap is set.
    await until(
      async () => (await h.engine.tail({ job_id: job.job_id, lines: 1 })).stdout.includes('ready'),
      10_000,
      'the fixture to trap SIGTERM',
    );
    const began = Date.now();
    const result = await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
    const took = Date.now() - began;
    expect(result).toMatchObject({ status: 'killed', escalated: true });
    // SIGKILL came once the caller's grace had passed, not before it.
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(processesWithMarker(marker)).toEqual([]);
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status.signal).toBe('SIGKILL');
  });

  it('keeps the first reason: a job that exits 143 after SIGTERM is killed, not failed', async () => {
    const started = await h.engine.execute(
      { command: "trap 'echo bye; exit 143' TERM; echo ready; while :; do sleep 0.1; done" },
      { caller: h.caller },
    );
    await until(async () =>
      (await h.engine.output({ job_id: started.job_id })).stdout.includes('ready'),
    );
    const result = await h.engine.kill({ job_id: started.job_id });
    expect(result.status).toBe('killed');
    const status = await h.engine.status({ job_id: started.job_id });
    expect(status.reason).toContain('killed on request');
  });

  it('kills a queued job before it runs, and says so for an ended one', async () => {
    const blockers = [];
    for (let i = 0; i < 3; i++)
      blockers.push(await h.engine.execute({ command: 'sleep 1000' }, { caller: h.caller }));
    const queued = await h.engine.execute({ command: 'echo never' }, { caller: h.caller });
    expect(queued.status).toBe('queued');
    const killed = await h.engine.kill({ job_id: queued.job_id });
    expect(killed.status).toBe('killed');
    for (const b of blockers) await h.engine.kill({ job_id: b.job_id, grace_s: 1 });
    const again = await h.engine.kill({ job_id: queued.job_id });
    expect(again.already_ended).toBe(true);
    expect(again.message).toContain('already ended');
    const output = await h.engine.output({ job_id: queued.job_id });
    expect(output.stdout).toBe('');
  });

  it('never signals a recycled pid whose start time does not match', async () => {
    const done = await h.engine.execute({ command: 'true' }, { caller: h.caller });
    await h.engine.wait({ job_id: done.job_id, timeout_s: 10 });
    // An unrelated process, leader of its own session and group, now holding "the job's" pid.
    const stranger = spawn('sleep', ['100'], { detached: true, stdio: 'ignore', env: h.env });
    const pid = stranger.pid!;
    try {
      await until(() => procStat(pid));
      h.engine.store.update(done.job_id, { pid, pidStart: procStat(pid)!.startTime - 1 });
      const result = await h.engine.kill({ job_id: done.job_id, signal: 'SIGKILL' });
      expect(result.already_ended).toBe(true);
      expect(procStat(pid)?.state).not.toBe('Z');
      expect(procStat(pid)).toBeDefined();
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});
