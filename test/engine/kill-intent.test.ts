// Proves: a kill is a durable intent. A job that ignores SIGTERM, whose kill was still in its
// grace when the engine stopped (as a daemon killed mid-kill would), is killed by the next
// engine once the grace has passed, and recorded `killed` — not left running forever.
import { afterEach, expect, it } from 'vitest';

import { membersOf } from '../../src/procfs/job-processes.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('finishes a kill that an engine stop interrupted during its grace', async () => {
  h = await openEngine();
  const job = await h.engine.execute(
    { command: 'exec sh test/fixtures/trap-term.sh' },
    { caller: h.caller },
  );
  await until(() => h!.engine.store.get(job.job_id)?.pid, 15_000, 'the job pid');
  await until(
    async () => (await h!.engine.tail({ job_id: job.job_id, lines: 1 })).stdout.includes('ready'),
    15_000,
    'the job to trap SIGTERM',
  );
  const killing = h.engine.kill({ job_id: job.job_id, grace_s: 3 });
  await until(() => h!.engine.store.get(job.job_id)?.stopRequest === 'kill', 15_000, 'the intent');
  const engine = await h.reopen();
  // The first engine gave up waiting when it closed: the job outlived SIGTERM.
  expect((await killing).status).toBe('running');
  const ended = await until(
    async () => {
      const status = await engine.status({ job_id: job.job_id });
      return status.status === 'running' ? undefined : status;
    },
    20_000,
    'the next engine to finish the kill',
  );
  expect(ended).toMatchObject({ status: 'killed', signal: 'SIGKILL' });
  expect(membersOf(engine.store.get(job.job_id)!)).toEqual([]);
});
