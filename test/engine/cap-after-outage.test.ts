// Proves: the per-stream output cap holds for a job that wrote far past it and ended while no
// engine watched it: the next engine caps its logs as it records the end, so disk use and
// what `status` says of dropped bytes agree.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, it } from 'vitest';

import { diskUsage } from '../../src/logs/cap.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { existsSync } from 'node:fs';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CAP = 100 * 1024;

it('caps the logs of a job that flooded them while no engine ran', async () => {
  h = await openEngine({ BGJOBS_MAX_OUTPUT: String(CAP) });
  const go = join(h.home, 'go');
  const job = await h.engine.execute(
    { command: `while [ ! -e '${go}' ]; do sleep 0.05; done; head -c 3000000 /dev/zero` },
    { caller: h.caller },
  );
  await until(() => h!.engine.store.get(job.job_id)?.pid, 15_000, 'the job pid');
  const paths = h.engine.folders.paths(job.job_id);
  await h.engine.close();
  writeFileSync(go, '');
  await until(() => existsSync(paths.exit), 20_000, 'the job to end while no engine runs');
  expect(diskUsage(paths.stdout)).toBeGreaterThan(1_000_000);

  const engine = await h.reopen();
  const status = await until(
    async () => {
      const s = await engine.status({ job_id: job.job_id });
      return s.status === 'completed' && diskUsage(paths.stdout) < 3 * CAP ? s : undefined;
    },
    20_000,
    'the logs to be capped',
  );
  expect(status.stdout.bytes).toBe(3_000_000);
  expect(status.stdout.dropped).toBeGreaterThan(3_000_000 - 2 * CAP);
});
