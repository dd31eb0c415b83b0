// Proves, for the background-command-executor profile: a finished command is forgotten once
// BGJOBS_PROFILE_RETENTION has passed since it ended (default one hour, as the original) —
// get_command_background_result and cleanup then answer "Process not found" and the job is
// removed — while a running one never is; 0 keeps finished commands as long as bgjobs does; a
// bad value is refused when the server is made.
import { afterEach, describe, expect, it } from 'vitest';

import { createServer } from '../../src/mcp/server.js';
import { profileRetentionMs } from '../../src/mcp/profiles/retention.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness, textOf } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const profile = 'background-command-executor';

async function call(harness: Harness, name: string, args: Record<string, unknown>) {
  const result = await harness.call(name, args);
  return JSON.parse(textOf(result)) as Record<string, unknown>;
}

async function run(harness: Harness, cmd: string): Promise<string> {
  const { ref_id } = await call(harness, 'execute_command_background', { cmd });
  return String(ref_id);
}

describe('background-command-executor retention', () => {
  it('forgets a finished command after the retention, never a running one', async () => {
    h = await openHarness('legacy', {
      profile,
      caller: { env: { BGJOBS_PROFILE_RETENTION: '1' } },
    });
    const harness = h;
    const done = await run(harness, 'echo done');
    const asked = await run(harness, 'echo asked');
    const long = await run(harness, 'sleep 1000');
    await harness.engine.wait({ job_ids: [done, asked], timeout_s: 30 });
    // Just ended: still there.
    expect(await call(harness, 'get_command_background_result', { ref_id: done })).toMatchObject({
      running: false,
      output: 'done\n',
    });
    const forgotten = await until(
      async () => {
        const result = await call(harness, 'get_command_background_result', { ref_id: done });
        return result.error === 'Process not found' ? result : undefined;
      },
      20_000,
      'the finished command to be forgotten',
    );
    expect(forgotten).toEqual({ error: 'Process not found', running: false, cmd: null });
    await expect(harness.engine.status({ job_id: done })).rejects.toMatchObject({
      code: 'not_found',
    });
    const { ended_at } = await harness.engine.status({ job_id: asked });
    await until(() => Date.now() - Date.parse(ended_at ?? '') > 1500, 20_000, 'a second to pass');
    expect(await call(harness, 'cleanup_background_process', { ref_id: asked })).toEqual({
      success: false,
      ref_id: asked,
      message: 'Process not found',
    });
    expect(await call(harness, 'get_command_background_result', { ref_id: long })).toMatchObject({
      running: true,
    });
  });

  it('keeps finished commands with 0, and defaults to an hour', async () => {
    expect(profileRetentionMs({})).toBe(3_600_000);
    expect(profileRetentionMs({ BGJOBS_PROFILE_RETENTION: '0' })).toBeNull();
    h = await openHarness('legacy', {
      profile,
      caller: { env: { BGJOBS_PROFILE_RETENTION: '0' } },
    });
    const ref_id = await run(h, 'echo kept');
    await h.engine.wait({ job_id: ref_id, timeout_s: 30 });
    expect(await call(h, 'get_command_background_result', { ref_id })).toMatchObject({
      output: 'kept\n',
    });
  });

  it('refuses a bad value when the server is made', () => {
    expect(() =>
      createServer({} as never, {
        caller: { cwd: '/', env: { BGJOBS_PROFILE_RETENTION: 'an hour' } },
        version: '0',
        profile,
      }),
    ).toThrow(/BGJOBS_PROFILE_RETENTION="an hour" is not valid/);
  });
});
