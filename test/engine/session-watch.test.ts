// Proves: a `lifetime: "session"` job is stopped once the MCP server process it belongs to is
// gone (and a persistent one is not), a session job needs a session; `watch` reports a job's
// start, output growth and end as they happen, and stops when its signal aborts.
import { spawn } from 'node:child_process';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { JobEvent } from '../../src/api/contract.js';
import { procStat } from '../../src/procfs/proc.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

describe('lifetime', () => {
  it('stops session jobs when their session process is gone, and only those', async () => {
    // A stand-in for an MCP server process: the session is named after its pid and start time.
    const server = spawn('sleep', ['100'], { stdio: 'ignore', env: h.env });
    const pid = server.pid!;
    const start = await until(() => procStat(pid)?.startTime);
    const caller = { ...h.caller, session: `mcp:${pid}:${start}` };
    const scoped = await h.engine.execute(
      { command: 'sleep 1000', lifetime: 'session' },
      { caller },
    );
    const kept = await h.engine.execute({ command: 'sleep 1000' }, { caller });
    expect((await h.engine.status({ job_id: scoped.job_id })).lifetime).toBe('session');
    server.kill('SIGKILL');
    const waited = await h.engine.wait({ job_id: scoped.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('killed');
    expect(waited.jobs[0]?.reason).toContain('MCP session ended');
    expect((await h.engine.status({ job_id: kept.job_id })).status).toBe('running');
    await h.engine.kill({ job_id: kept.job_id, grace_s: 1 });
  });

  it('refuses a session job from a caller without a session', async () => {
    await expect(
      h.engine.execute({ command: 'true', lifetime: 'session' }, { caller: h.caller }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('watch', () => {
  it('reports start, output and end, until aborted', async () => {
    const events: JobEvent[] = [];
    const controller = new AbortController();
    const watching = h.engine.watch({ signal: controller.signal, onEvent: (e) => events.push(e) });
    const job = await h.engine.execute(
      { command: 'echo one; sleep 0.6; echo two; sleep 0.6; exit 3' },
      { caller: h.caller },
    );
    await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    await until(() => events.some((e) => e.type === 'ended' && e.job_id === job.job_id));
    const mine = events.filter((e) => e.job_id === job.job_id).map((e) => e.type);
    expect(mine[0]).toBe('started');
    expect(mine).toContain('output');
    expect(mine[mine.length - 1]).toBe('ended');
    expect(events.find((e) => e.type === 'ended')).toMatchObject({
      status: 'failed',
      detail: 'exited with code 3',
    });
    controller.abort();
    await watching;
    const count = events.length;
    await h.engine.execute({ command: 'true' }, { caller: h.caller });
    expect(events.length).toBe(count);
  });
});
