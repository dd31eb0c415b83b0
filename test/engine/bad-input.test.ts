// Proves: bad input never crashes the engine and always gets a clear error: empty command,
// unknown id, ids like ../../x or $(id), a 1 MB command, a missing cwd, negative or huge
// numbers, bad env names and job names; 200 concurrent executes all succeed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await openEngine({ BGJOBS_MAX_JOBS: '50' });
});
afterAll(async () => {
  await h.close();
});

describe('bad input', () => {
  it('refuses an empty or blank command', async () => {
    await expect(h.engine.execute({ command: '' }, { caller: h.caller })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(h.engine.execute({ command: '   ' }, { caller: h.caller })).rejects.toThrow(
      /empty/,
    );
  });

  it('says an unknown id is unknown and what to do', async () => {
    await expect(h.engine.status({ job_id: 'zzzzzzzz' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('list') as unknown,
    });
  });

  it.each(['../../x', '$(id)', '`id`', 'a b', '/etc/passwd', 'x'.repeat(65)])(
    'refuses the id %s',
    async (ref) => {
      await expect(h.engine.status({ job_id: ref })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(h.engine.kill({ job_id: ref })).rejects.toMatchObject({ code: 'invalid_input' });
    },
  );

  it('refuses a 1 MB command', async () => {
    await expect(
      h.engine.execute({ command: `echo ${'a'.repeat(1024 * 1024)}` }, { caller: h.caller }),
    ).rejects.toThrow(/limit is 65536/);
  });

  it('refuses a missing cwd', async () => {
    await expect(
      h.engine.execute({ command: 'true', cwd: '/no/such/dir' }, { caller: h.caller }),
    ).rejects.toThrow(/does not exist/);
  });

  it('refuses negative and huge numbers', async () => {
    await expect(
      h.engine.execute({ command: 'true', timeout_s: -1 }, { caller: h.caller }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(h.engine.list({ limit: 1e12 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.engine.tail({ job_id: 'zzzzzzzz', lines: -5 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(h.engine.wait({ job_id: 'zzzzzzzz', timeout_s: 1e9 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(h.engine.output({ job_id: 'zzzzzzzz', stdout_offset: -1 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('refuses bad env names and names shaped like ids', async () => {
    await expect(
      h.engine.execute({ command: 'true', env: { 'A=B': 'x' } }, { caller: h.caller }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    for (const name of ['abcd1234', '1abc', 'a b', '../x', 'x'.repeat(65)]) {
      await expect(
        h.engine.execute({ command: 'true', name }, { caller: h.caller }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
  });

  it('refuses interact on a job that is not running', async () => {
    const job = await h.engine.execute({ command: 'true' }, { caller: h.caller });
    await h.engine.wait({ job_id: job.job_id, timeout_s: 10 });
    await expect(h.engine.interact({ job_id: job.job_id, input: 'x' })).rejects.toMatchObject({
      code: 'not_running',
    });
  });

  it('handles 200 concurrent executes', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        h.engine.execute({ command: `echo ${i}` }, { caller: h.caller }),
      ),
    );
    expect(new Set(results.map((r) => r.job_id)).size).toBe(200);
    const waited = await h.engine.wait({
      job_ids: results.slice(0, 100).map((r) => r.job_id),
      timeout_s: 50,
    });
    const rest = await h.engine.wait({
      job_ids: results.slice(100).map((r) => r.job_id),
      timeout_s: 50,
    });
    expect(waited.done && rest.done).toBe(true);
    expect([...waited.jobs, ...rest.jobs].every((j) => j.status === 'completed')).toBe(true);
    const output = await h.engine.output({ job_id: results[123]!.job_id });
    expect(output.stdout).toBe('123\n');
  });
});
