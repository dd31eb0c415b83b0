// Proves, through the engine, a real worker process and a local fake provider speaking the
// Anthropic wire format: a prompt with `on` runs on a worker of that label, with the worker's
// provider key and endpoint (the caller has none, and none of the caller's travels); its answer
// is mirrored into the job's stdout and the job completes, shown as an llm job with its worker;
// a failure the model says a retry may help (429) is retried, one that cannot (400) is not, its
// reason in stderr; a prompt with `on` is refused without BGJOBS_REDIS_URL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';
import { startFakeProvider, type FakeProvider } from '../helpers/fake-providers.js';
import { startWorker, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

describe('prompts on a worker', () => {
  let redis: TestRedis;
  let h: EngineHarness;
  let worker: TestWorker;
  let provider: FakeProvider;

  beforeEach(async () => {
    redis = await startRedis();
    provider = await startFakeProvider('anthropic');
    h = await openEngine({ BGJOBS_REDIS_URL: redis.url.href });
    worker = await startWorker(redis, { name: 'llm-box', labels: ['llm'], env: provider.env });
  });

  afterEach(async () => {
    await h.close();
    await worker.stop();
    await worker.home.cleanup();
    await provider.close();
    await redis.cleanup();
  });

  // The caller has a key of its own that the fake refuses: were it sent, the answer would be 401.
  const caller = () => ({
    caller: { ...h.caller, env: { ...h.caller.env, ANTHROPIC_API_KEY: 'the-callers-own-key' } },
  });

  it("runs on the worker with the worker's key, its answer in the job's output", async () => {
    provider.reply({ chunks: ['Hello', ', ', 'world'] });
    const job = await h.engine.prompt(
      { prompt: 'Say hello', model: provider.model, system: 'Be brief', on: 'llm' },
      caller(),
    );
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 45 });
    expect(waited.jobs[0]).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(await h.engine.output({ job_id: job.job_id })).toMatchObject({
      stdout: 'Hello, world\n',
      stderr: '',
    });
    const status = await h.engine.status({ job_id: job.job_id });
    expect(status).toMatchObject({ kind: 'llm', on: 'llm', worker: { name: 'llm-box' } });
    expect(provider.requests).toHaveLength(1);
    const request = provider.requests[0]!;
    expect(request.headers['x-api-key']).toBe(provider.key);
    expect(request.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be brief' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
  });

  it('retries what a retry may help, and not what it cannot', async () => {
    provider.enqueue({ status: 429 }, { chunks: ['second time lucky'] });
    const retried = await h.engine.prompt(
      { prompt: 'hi', model: provider.model, on: 'llm', retries: 1 },
      caller(),
    );
    const first = await h.engine.wait({ job_id: retried.job_id, timeout_s: 45 });
    expect(first.jobs[0]).toMatchObject({ status: 'completed' });
    expect((await h.engine.output({ job_id: retried.job_id })).stdout).toContain(
      'second time lucky\n',
    );

    provider.enqueue({ status: 400, errorMessage: 'prompt is too long' });
    const refused = await h.engine.prompt(
      { prompt: 'hi', model: provider.model, on: 'llm', retries: 2 },
      caller(),
    );
    const second = await h.engine.wait({ job_id: refused.job_id, timeout_s: 45 });
    expect(second.jobs[0]).toMatchObject({ status: 'failed', exit_code: 1 });
    expect((await h.engine.output({ job_id: refused.job_id })).stderr).toContain(
      'prompt is too long',
    );
    expect(provider.requests).toHaveLength(3);
  });
});

describe('a prompt with on, without Redis', () => {
  it('is refused with a message that says what to set', async () => {
    const h = await openEngine();
    try {
      await expect(
        h.engine.prompt({ prompt: 'hi', model: 'anthropic:x', on: 'llm' }, { caller: h.caller }),
      ).rejects.toThrow(/BGJOBS_REDIS_URL/);
    } finally {
      await h.close();
    }
  });
});
