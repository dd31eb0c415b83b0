// Proves, for the background-agent profile against a local fake provider: a task submitted
// without `model` runs on the original's default, claude-3-5-sonnet-20241022 (anthropic), and
// BGJOBS_DEFAULT_MODEL in the caller's environment overrides it; a model name that cannot be
// resolved is accepted at submit and fails the task, its reason in check_task_status.
import { afterEach, describe, expect, it } from 'vitest';

import { startFakeProvider, type FakeProvider } from '../helpers/fake-providers.js';
import { type Harness, openHarness, textOf } from './harness.js';

let h: Harness | undefined;
let fakes: FakeProvider[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const fake of fakes) await fake.close();
  fakes = [];
});

async function submitted(
  env: Record<string, string>,
  model?: string,
): Promise<Record<string, unknown>> {
  h = await openHarness('legacy', {
    profile: 'background-agent',
    caller: { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
  });
  const reply = await h.call('submit_background_task', { task_description: 'hi', model });
  expect(reply.isError, textOf(reply)).toBeFalsy();
  const { task_id } = JSON.parse(textOf(reply)) as { task_id: string };
  await h.engine.wait({ job_id: task_id, timeout_s: 30 });
  const status = await h.call('check_task_status', { task_id });
  return JSON.parse(textOf(status)) as Record<string, unknown>;
}

describe('background-agent without a model', () => {
  it("runs on the original's default model", async () => {
    const anthropic = await startFakeProvider('anthropic');
    fakes.push(anthropic);
    const task = await submitted(anthropic.env);
    expect(task).toMatchObject({
      status: 'completed',
      model: 'anthropic:claude-3-5-sonnet-20241022',
    });
    expect(anthropic.requests[0]?.body.model).toBe('claude-3-5-sonnet-20241022');
  });

  it('runs on BGJOBS_DEFAULT_MODEL when it is set', async () => {
    const openai = await startFakeProvider('openai');
    fakes.push(openai);
    const task = await submitted({ ...openai.env, BGJOBS_DEFAULT_MODEL: openai.model });
    expect(task).toMatchObject({ status: 'completed', model: openai.model });
    expect(openai.requests).toHaveLength(1);
  });

  it('fails a task whose model name cannot be resolved, with the reason', async () => {
    const openai = await startFakeProvider('openai');
    fakes.push(openai);
    const task = await submitted(openai.env, 'no-such-model-xyz');
    expect(task).toMatchObject({ status: 'failed' });
    expect(String(task.error)).toContain('no-such-model-xyz');
    expect(openai.requests).toHaveLength(0);
  });
});
