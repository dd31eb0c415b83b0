// Proves, for the background-agent profile served in-process over the real engine to a real MCP
// client whose environment points at local fake LLM providers: it lists exactly the five tools
// with the original's argument names; a task goes pending → running → completed, with times,
// usage and finish reason, and get_task_result gives the model's text (while running, the text
// so far marked partial; before that, no result and why); model_params reach the provider and
// the original's model names resolve; a provider failure is `failed` with its message, a retried task's result is its last answer alone, and
// every bgjobs status maps as documented; list filters by status, newest first, prompts only;
// cancel_task aborts the request (the provider sees its connection close) and a cancelled
// pending task never runs; unknown ids are "Task <id> not found"; a missing key or an unknown
// parameter is refused at submit, before any request.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  startFakeProvider,
  type FakeProvider,
  type WireFormat,
} from '../helpers/fake-providers.js';
import { JOB_STATUSES } from '../../src/api/job.js';
import { taskStatus } from '../../src/mcp/profiles/background-agent-tasks.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness } from './harness.js';

const profile = 'background-agent';
const UUID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';

let h: Harness | undefined;
let fakes: FakeProvider[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const fake of fakes) await fake.close();
  fakes = [];
});

async function fake(format: WireFormat): Promise<FakeProvider> {
  const provider = await startFakeProvider(format);
  fakes.push(provider);
  return provider;
}

/** A harness whose caller environment is ENV alone (no keys from the machine running tests). */
async function open(env: Record<string, string>, settings?: Record<string, string>) {
  h = await openHarness('legacy', {
    profile,
    settings,
    caller: { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
  });
  return h;
}

async function finished(harness: Harness, taskId: string): Promise<void> {
  const waited = await harness.engine.wait({ job_id: taskId, timeout_s: 30 });
  expect(waited.done).toBe(true);
}

// ── the original's shapes, strictly ────────────────────────────────────────────────────────
const status = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']);
const iso = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO time');

const task = z
  .object({
    task_id: z.string(),
    status,
    task_description: z.string(),
    model: z.string().nullable(),
    created_at: iso,
    started_at: iso.nullable(),
    completed_at: iso.nullable(),
    error: z.string().nullable(),
    usage: z
      .object({ input_tokens: z.number().nullable(), output_tokens: z.number().nullable() })
      .strict()
      .nullable(),
    finish_reason: z.string().nullable(),
    latency_ms: z.number().nullable(),
  })
  .strict();

const schemas = {
  submit: z.object({ task_id: z.string(), status, message: z.string() }),
  task,
  result: z.object({
    task_id: z.string(),
    status,
    result: z.string().nullable(),
    partial: z.boolean(),
    message: z.string().nullable(),
  }),
  list: z.object({ tasks: z.array(task), count: z.number() }),
  cancel: z.object({ task_id: z.string(), cancelled: z.boolean(), status, message: z.string() }),
};

/** Calls a tool that must succeed: structuredContent, and the same object as compact JSON text. */
async function call<S extends z.ZodObject>(
  harness: Harness,
  name: string,
  args: Record<string, unknown>,
  schema: S,
): Promise<z.output<S>> {
  const { text, data } = await harness.ok(name, args, schema);
  expect(text).toBe(JSON.stringify(data));
  return data;
}

const submit = (harness: Harness, args: Record<string, unknown>) =>
  call(harness, 'submit_background_task', args, schemas.submit);
const check = (harness: Harness, task_id: string) =>
  call(harness, 'check_task_status', { task_id }, schemas.task);
const result = (harness: Harness, task_id: string) =>
  call(harness, 'get_task_result', { task_id }, schemas.result);
const list = (harness: Harness, args: Record<string, unknown> = {}) =>
  call(harness, 'list_background_tasks', args, schemas.list);
const cancel = (harness: Harness, task_id: string) =>
  call(harness, 'cancel_task', { task_id }, schemas.cancel);

describe('profile background-agent', () => {
  it('lists exactly its five tools, with its argument and result names', async () => {
    const harness = await open({});
    const { tools } = await harness.client.listTools();
    const shapes = Object.fromEntries(
      tools.map((tool) => [
        tool.name,
        {
          input: Object.keys(tool.inputSchema.properties ?? {}),
          required: tool.inputSchema.required ?? [],
          output: Object.keys(tool.outputSchema?.properties ?? {}),
        },
      ]),
    );
    expect(shapes).toEqual({
      submit_background_task: {
        input: ['task_description', 'model', 'model_params'],
        required: ['task_description'],
        output: ['task_id', 'status', 'message'],
      },
      check_task_status: {
        input: ['task_id'],
        required: ['task_id'],
        output: Object.keys(task.shape),
      },
      get_task_result: {
        input: ['task_id'],
        required: ['task_id'],
        output: ['task_id', 'status', 'result', 'partial', 'message'],
      },
      list_background_tasks: {
        input: ['limit', 'status_filter'],
        required: [],
        output: ['tasks', 'count'],
      },
      cancel_task: {
        input: ['task_id'],
        required: ['task_id'],
        output: ['task_id', 'cancelled', 'status', 'message'],
      },
    });
    const listTool = tools.find((tool) => tool.name === 'list_background_tasks');
    expect(listTool?.inputSchema.properties?.status_filter).toMatchObject({
      enum: ['pending', 'running', 'completed', 'failed', 'cancelled'],
    });
    const submitTool = tools.find((tool) => tool.name === 'submit_background_task');
    expect(
      Object.keys(
        (submitTool?.inputSchema.properties?.model_params as { properties?: object }).properties ??
          {},
      ),
    ).toEqual(['max_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed']);
    expect(harness.client.getServerVersion()?.name).toBe('background-agent');
  });

  it('runs a task pending → running → completed, then gives the answer', async () => {
    const provider = await fake('openai');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    provider.reply({ chunks: ['Hello', ', ', 'world'], gate, usage: { input: 12, output: 5 } });
    // One prompt at a time, so the second task waits its turn.
    const harness = await open(provider.env, { BGJOBS_MAX_LLM_JOBS: '1' });

    const first = await submit(harness, {
      task_description: 'Say hello\nPolitely, please.',
      model: provider.model,
      model_params: { max_tokens: 50, temperature: 0.2 },
    });
    expect(first).toMatchObject({ status: 'running' });
    const second = await submit(harness, {
      task_description: 'Say hello again',
      model: provider.model,
    });
    expect(second.status).toBe('pending');
    await provider.request(0);

    expect(await check(harness, first.task_id)).toMatchObject({
      task_id: first.task_id,
      status: 'running',
      task_description: 'Say hello',
      model: provider.model,
      completed_at: null,
      error: null,
      usage: null,
    });
    const waiting = await check(harness, second.task_id);
    expect(waiting).toMatchObject({ status: 'pending', started_at: null, completed_at: null });
    // The answer so far, marked partial: the first chunk has been written.
    await until(
      async () => (await result(harness, first.task_id)).result === 'Hello',
      20_000,
      'the first chunk to be kept',
    );
    expect(await result(harness, first.task_id)).toEqual({
      task_id: first.task_id,
      status: 'running',
      result: 'Hello',
      partial: true,
      message: `Task ${first.task_id} is still running: result is its answer so far (partial). Check again with check_task_status.`,
    });
    expect(await result(harness, second.task_id)).toMatchObject({
      status: 'pending',
      result: null,
      message: expect.stringContaining('has not started yet') as unknown,
    });

    release();
    await finished(harness, first.task_id);
    await finished(harness, second.task_id);

    const done = await check(harness, first.task_id);
    expect(done).toMatchObject({
      status: 'completed',
      error: null,
      usage: { input_tokens: 12, output_tokens: 5 },
      finish_reason: 'stop',
    });
    expect(done.latency_ms).toBeGreaterThanOrEqual(0);
    const [created, started, ended] = [done.created_at, done.started_at, done.completed_at].map(
      (time) => Date.parse(time ?? ''),
    );
    expect(started).toBeGreaterThanOrEqual(created ?? NaN);
    expect(ended).toBeGreaterThanOrEqual(started ?? NaN);
    expect(await result(harness, first.task_id)).toEqual({
      task_id: first.task_id,
      status: 'completed',
      result: 'Hello, world',
      partial: false,
      message: null,
    });
    // model_params became the request's generation parameters.
    const body = provider.requests[0]?.body ?? {};
    expect(body.temperature).toBe(0.2);
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(50);
    expect(JSON.stringify(body.messages)).toContain('Say hello\\nPolitely, please.');
  });

  it.each([
    ['anthropic', 'claude-3-5-sonnet-20241022', 'anthropic:claude-3-5-sonnet-20241022'],
    ['google', 'gemini-pro', 'google:gemini-pro'],
    ['ollama', 'ollama:llama2', 'ollama:llama2'],
  ] as const)('takes the original model name %s %s', async (format, model, spec) => {
    const provider = await fake(format);
    const harness = await open(provider.env);
    const { task_id } = await submit(harness, { task_description: 'hi', model });
    await finished(harness, task_id);
    expect(await check(harness, task_id)).toMatchObject({ status: 'completed', model: spec });
    expect((await result(harness, task_id)).result).toBe('Hello, world');
    const request = provider.requests[0];
    const modelId = model.replace(/^ollama:/, '');
    expect(`${request?.path} ${JSON.stringify(request?.body)}`).toContain(modelId);
  });

  it('lists prompt tasks newest first, filtered by status, with a failure and its error', async () => {
    const provider = await fake('openai');
    const harness = await open(provider.env);
    provider.enqueue({ status: 400, errorMessage: 'This model does not take that prompt' });
    const failed = await submit(harness, { task_description: 'one', model: provider.model });
    await finished(harness, failed.task_id);
    const completed = await submit(harness, { task_description: 'two', model: provider.model });
    await finished(harness, completed.task_id);
    provider.reply({ chunks: ['thinking'], hangAfter: 1 });
    const running = await submit(harness, { task_description: 'three', model: provider.model });
    await provider.request(2);
    // A shell job is no task: not listed, not found.
    const shell = await harness.engine.execute({ command: 'true' });
    await finished(harness, shell.job_id);

    const all = await list(harness);
    expect(all.count).toBe(3);
    expect(
      all.tasks.map(({ task_id, status, task_description }) => [task_id, status, task_description]),
    ).toEqual([
      [running.task_id, 'running', 'three'],
      [completed.task_id, 'completed', 'two'],
      [failed.task_id, 'failed', 'one'],
    ]);
    expect(all.tasks[0]).toEqual(await check(harness, running.task_id));

    const byStatus = async (status_filter: string) =>
      (await list(harness, { status_filter })).tasks.map((listed) => listed.task_id);
    expect(await byStatus('failed')).toEqual([failed.task_id]);
    expect(await byStatus('completed')).toEqual([completed.task_id]);
    expect(await byStatus('running')).toEqual([running.task_id]);
    expect(await byStatus('pending')).toEqual([]);
    expect(await byStatus('cancelled')).toEqual([]);
    expect((await list(harness, { limit: 2 })).tasks.map((listed) => listed.task_id)).toEqual([
      running.task_id,
      completed.task_id,
    ]);

    const failure = await check(harness, failed.task_id);
    expect(failure.error).toContain('This model does not take that prompt');
    expect(await result(harness, failed.task_id)).toEqual({
      task_id: failed.task_id,
      status: 'failed',
      result: null,
      partial: false,
      message: `Task ${failed.task_id} failed: ${failure.error}`,
    });
    expect(await harness.fails('check_task_status', { task_id: shell.job_id })).toBe(
      `Task ${shell.job_id} not found`,
    );
  });

  it("gives only the last attempt's answer of a task that was retried", async () => {
    const provider = await fake('openai');
    provider.enqueue({ status: 429, retryAfter: '0' });
    provider.reply({ chunks: ['second ', 'try'] });
    const harness = await open(provider.env);
    const { task_id } = await submit(harness, { task_description: 'hi', model: provider.model });
    await finished(harness, task_id);
    expect(provider.requests).toHaveLength(2);
    // bgjobs' own output keeps both attempts apart with a line; the result is the answer alone.
    expect((await harness.engine.output({ job_id: task_id })).stdout).toMatch(
      /^\[bgjobs\] attempt 1 failed .*\nsecond try\n$/,
    );
    expect(await result(harness, task_id)).toMatchObject({
      status: 'completed',
      result: 'second try',
    });
  });

  it('maps every bgjobs status onto the five task statuses', () => {
    expect(Object.fromEntries(JOB_STATUSES.map((job) => [job, taskStatus(job)]))).toEqual({
      queued: 'pending',
      running: 'running',
      completed: 'completed',
      failed: 'failed',
      killed: 'cancelled',
      timed_out: 'failed',
      lost: 'failed',
    });
  });

  it('cancels a running task by aborting its request to the model', async () => {
    const provider = await fake('openai');
    provider.reply({ chunks: ['Once', ' upon', ' a time'], delayMs: 10_000 });
    const harness = await open(provider.env);
    const { task_id } = await submit(harness, {
      task_description: 'Tell a long story',
      model: provider.model,
    });
    const request = await provider.request(0);
    await until(
      async () => (await harness.engine.output({ job_id: task_id })).stdout === 'Once',
      10_000,
      'the first words of the answer',
    );

    const cancelledAt = performance.now();
    expect(await cancel(harness, task_id)).toEqual({
      task_id,
      cancelled: true,
      status: 'cancelled',
      message: `Task ${task_id} was cancelled: its request to the model was aborted.`,
    });
    // Closed by the abort: the fake would send its next chunk only 10 s after the first, and
    // end its reply (completed) 10 s after that.
    const closedAt = await request.closed;
    expect(closedAt - cancelledAt).toBeLessThan(10_000);
    expect(request.completed).toBe(false);

    expect(await check(harness, task_id)).toMatchObject({ status: 'cancelled', error: null });
    expect(await result(harness, task_id)).toEqual({
      task_id,
      status: 'cancelled',
      result: null,
      partial: false,
      message: `Task ${task_id} was cancelled.`,
    });
    expect((await list(harness, { status_filter: 'cancelled' })).count).toBe(1);
    expect(await cancel(harness, task_id)).toEqual({
      task_id,
      cancelled: false,
      status: 'cancelled',
      message: `Task ${task_id} had already ended (cancelled); nothing to cancel.`,
    });
  });

  it('cancels a pending task so that it never runs', async () => {
    const provider = await fake('openai');
    provider.reply({ chunks: ['a'], hangAfter: 1 });
    const harness = await open(provider.env, { BGJOBS_MAX_LLM_JOBS: '1' });
    const busy = await submit(harness, { task_description: 'first', model: provider.model });
    const waiting = await submit(harness, { task_description: 'second', model: provider.model });
    expect(waiting.status).toBe('pending');
    await provider.request(0);
    expect(await cancel(harness, waiting.task_id)).toEqual({
      task_id: waiting.task_id,
      cancelled: true,
      status: 'cancelled',
      message: `Task ${waiting.task_id} was cancelled: it will not run.`,
    });
    await cancel(harness, busy.task_id);
    await finished(harness, busy.task_id);
    expect(await check(harness, waiting.task_id)).toMatchObject({
      status: 'cancelled',
      started_at: null,
    });
    expect(provider.requests).toHaveLength(1);
  });

  it('answers unknown task ids with "Task <id> not found"', async () => {
    const harness = await open({});
    for (const task_id of ['zzzzzzzz', UUID]) {
      const notFound = `Task ${task_id} not found`;
      expect(await harness.fails('check_task_status', { task_id })).toBe(notFound);
      expect(await harness.fails('get_task_result', { task_id })).toBe(notFound);
      expect(await harness.fails('cancel_task', { task_id })).toBe(notFound);
    }
    expect((await list(harness)).count).toBe(0);
  });

  it('refuses at submit a missing key or an unknown parameter, before any request', async () => {
    const provider = await fake('openai');
    const harness = await open({ OPENAI_BASE_URL: provider.url });
    const text = await harness.fails('submit_background_task', {
      task_description: 'hi',
      model: provider.model,
    });
    expect(text).toMatch(/^Failed to submit task: No API key for openai: set OPENAI_API_KEY/);

    const params = await harness.fails('submit_background_task', {
      task_description: 'hi',
      model: provider.model,
      model_params: { max_tokens: 5, frobnicate: 1 },
    });
    expect(params).toContain('frobnicate');
    expect(await harness.fails('submit_background_task', { task_description: '' })).toMatch(
      /task_description/,
    );
    expect(provider.requests).toHaveLength(0);
    expect((await list(harness)).count).toBe(0);
  });
});
