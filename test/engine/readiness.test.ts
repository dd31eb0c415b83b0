// Proves: wait with until:"ready" returns which condition fired — a regex on the output, a TCP
// port accepting connections, an HTTP URL answering 2xx — with the matching line; a failure
// regex ends the wait at once as failed_pattern (even under until:"exit"), not at the timeout;
// a job that exits first is "exited"; status shows ready, time-to-ready and the ports the job
// listens on; a declared port that is taken is refused, naming the bgjobs job that holds it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { freePort } from '../helpers/free-port.js';

let h: EngineHarness;
beforeEach(async () => {
  h = await openEngine();
});
afterEach(async () => {
  await h.close();
});

describe('readiness', () => {
  it('fires on an output pattern, with the line and time to ready', async () => {
    const job = await h.engine.execute(
      {
        command: 'sleep 0.3; echo "Server listening on 1234"; sleep 1000',
        ready: { pattern: 'listening on \\d+' },
      },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, until: 'ready', timeout_s: 20 });
    expect(waited).toMatchObject({ done: true, fired: 'ready' });
    expect(waited.jobs[0]).toMatchObject({
      status: 'running',
      ready: true,
      fired: 'ready',
      match: 'Server listening on 1234',
    });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ ready: true, ready_state: 'ready' });
    expect(status.time_to_ready_ms).toBeGreaterThanOrEqual(250);
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it('runs a dev server end to end: URL readiness, its port in status, the same job by name, kill frees the port', async () => {
    const port = await freePort();
    const job = await h.engine.execute(
      {
        command: `exec python3 -m http.server ${port} --bind 127.0.0.1`,
        name: 'dev',
        port,
        ready: { url: `http://127.0.0.1:${port}/` },
      },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: 'dev', until: 'ready', timeout_s: 30 });
    expect(waited).toMatchObject({ done: true, fired: 'ready' });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status.ports).toEqual([port]);
    // Declaring the same port again names the job that holds it.
    await expect(h.engine.execute({ command: 'true', port }, { caller: h.caller })).rejects.toThrow(
      new RegExp(`Port ${port} is already in use by job ${job.job_id} \\("dev"\\)`),
    );
    // Starting the service again by name returns the running one.
    const again = await h.engine.execute(
      { command: `exec python3 -m http.server ${port} --bind 127.0.0.1`, name: 'dev' },
      { caller: h.caller },
    );
    expect(again).toMatchObject({ job_id: job.job_id, existing: true });
    const killed = await h.engine.kill({ job_id: 'dev', grace_s: 1 });
    expect(killed.freed_ports).toEqual([port]);
    expect(killed.killed_pids).toContain(status.pid);
  });

  it('fires on a TCP port accepting connections', async () => {
    const port = await freePort();
    const job = await h.engine.execute(
      {
        command: `sleep 0.2; exec python3 -m http.server ${port} --bind 127.0.0.1`,
        ready: { port },
      },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: job.job_id, until: 'ready', timeout_s: 30 });
    expect(waited.fired).toBe('ready');
    expect(waited.jobs[0]?.match).toContain(String(port));
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it('returns failed_pattern at once, under until ready and until exit', async () => {
    const job = await h.engine.execute(
      {
        command: 'echo starting; echo "Error: address in use" >&2; sleep 1000',
        ready: { pattern: 'listening', fail_pattern: '^Error:' },
      },
      { caller: h.caller },
    );
    const ready = await h.engine.wait({ job_id: job.job_id, until: 'ready', timeout_s: 30 });
    expect(ready).toMatchObject({ done: true, fired: 'failed_pattern' });
    expect(ready.jobs[0]).toMatchObject({
      ready: false,
      match: 'Error: address in use',
      status: 'running',
    });
    // Ended by the failure pattern, not by its 30 s timeout (which says fired: timeout), while
    // the job sleeps on.
    const exit = await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    expect(exit).toMatchObject({ done: true, fired: 'failed_pattern' });
    expect((await h.engine.status({ job_id: job.job_id })).ready_state).toBe('failed');
    await h.engine.kill({ job_id: job.job_id, grace_s: 1 });
  });

  it('reports exited when the job ends before it is ready, and timeout when nothing fires', async () => {
    const quits = await h.engine.execute(
      { command: 'exit 2', ready: { pattern: 'never' } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({ job_id: quits.job_id, until: 'ready', timeout_s: 20 });
    expect(waited).toMatchObject({ done: true, fired: 'exited' });
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 2, ready: false });
    const slow = await h.engine.execute(
      { command: 'sleep 1000', ready: { pattern: 'never' } },
      { caller: h.caller },
    );
    const timedOut = await h.engine.wait({ job_id: slow.job_id, until: 'ready', timeout_s: 0.5 });
    expect(timedOut).toMatchObject({ done: false, fired: 'timeout' });
    await h.engine.kill({ job_id: slow.job_id, grace_s: 1 });
  });

  it('waits for any of several jobs and says which fired', async () => {
    const slow = await h.engine.execute(
      { command: 'sleep 1000', ready: { pattern: 'never' } },
      { caller: h.caller },
    );
    const fast = await h.engine.execute(
      { command: 'echo up; sleep 1000', ready: { pattern: 'up' } },
      { caller: h.caller },
    );
    const waited = await h.engine.wait({
      job_ids: [slow.job_id, fast.job_id],
      mode: 'any',
      until: 'ready',
      timeout_s: 20,
    });
    expect(waited.fired).toBe('ready');
    expect(waited.jobs.map((j) => j.fired)).toEqual([null, 'ready']);
    await h.engine.kill({ job_id: slow.job_id, grace_s: 1 });
    await h.engine.kill({ job_id: fast.job_id, grace_s: 1 });
  });
});
