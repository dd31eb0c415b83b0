// Proves: all logs together stay under BGJOBS_MAX_TOTAL_OUTPUT by evicting the oldest finished
// jobs' logs first (their status stays, their output says why it is gone), running jobs' logs
// are never evicted, and the retention sweep removes finished jobs past BGJOBS_RETENTION.
import { existsSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function finished(
  engine: EngineHarness['engine'],
  caller: EngineHarness['caller'],
  command: string,
) {
  const job = await engine.execute({ command }, { caller });
  await engine.wait({ job_id: job.job_id, timeout_s: 20 });
  return job.job_id;
}

describe('housekeeping', () => {
  it('evicts the oldest finished logs past the total cap', async () => {
    h = await openEngine({ BGJOBS_MAX_TOTAL_OUTPUT: '300KB' });
    const { engine, caller } = h;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await finished(engine, caller, 'head -c 102400 /dev/zero'));
    const running = await engine.execute(
      { command: 'head -c 102400 /dev/zero; sleep 1000' },
      { caller },
    );
    await until(
      async () => (await engine.status({ job_id: running.job_id })).stdout.bytes === 102400,
    );
    const { evicted } = engine.housekeeper.sweep();
    // 5 finished × 100 KiB + 100 KiB running must fit 300 KiB: the three oldest go.
    expect(evicted).toEqual(ids.slice(0, 3));
    const status = await engine.status({ job_id: ids[0]! });
    expect(status).toMatchObject({ status: 'completed', logs_evicted: true });
    await expect(engine.output({ job_id: ids[0]! })).rejects.toThrow(/BGJOBS_MAX_TOTAL_OUTPUT/);
    expect((await engine.output({ job_id: ids[4]!, max_bytes: 10 })).stdout_read?.size).toBe(
      102400,
    );
    await engine.kill({ job_id: running.job_id, grace_s: 1 });
  });

  it('removes finished jobs past the retention time', async () => {
    h = await openEngine({ BGJOBS_RETENTION: '60' });
    const { engine, caller } = h;
    const old = await finished(engine, caller, 'echo old');
    const live = await engine.execute({ command: 'sleep 1000' }, { caller });
    const { removed } = engine.housekeeper.sweep(Date.now() + 61_000);
    expect(removed).toEqual([old]);
    await expect(engine.status({ job_id: old })).rejects.toMatchObject({ code: 'not_found' });
    expect(existsSync(engine.folders.dirOf(old))).toBe(false);
    expect((await engine.status({ job_id: live.job_id })).status).toBe('running');
    await engine.kill({ job_id: live.job_id, grace_s: 1 });
  });
});
