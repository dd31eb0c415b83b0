// Proves, for each drop-in profile served in-process over the real engine to a real MCP client:
// it lists exactly the original's tools with the original's argument names; each tool answers
// with the original's exact result shape (strict schemas, the original's key order, its text
// encoding, structuredContent only where the original had it); shell pipes work; stopping a job
// ends its whole process tree; statuses map as documented (queued stays queued, timed_out → failed,
// a SIGTERM death → killed / returncode -15); and unknown ids are answered the original's way.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { processesWithMarker, uniqueMarker } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { type Harness, type HarnessOptions, openHarness, textOf } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function open(options: HarnessOptions): Promise<Harness> {
  h = await openHarness('legacy', options);
  return h;
}

async function finished(harness: Harness, jobId: string): Promise<void> {
  const waited = await harness.engine.wait({ job_id: jobId, timeout_s: 30 });
  expect(waited.done).toBe(true);
}

/** Starts a tree of two sleeps carrying MARKER in their environment; resolves once both run. */
function treeCommand(marker: string): string {
  return `BGJOBS_TEST_MARKER=${marker} sh -c 'sleep 1000 & sleep 1000 & wait'`;
}

async function treeRunning(marker: string): Promise<void> {
  await until(() => processesWithMarker(marker).length >= 3, 10_000, 'the process tree to start');
}

async function treeGone(marker: string): Promise<void> {
  await until(() => processesWithMarker(marker).length === 0, 10_000, 'the whole tree to end');
}

const UUID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';

// ── background-command-executor ────────────────────────────────────────────────────────────
const localIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

const bce = {
  execute: z.object({ success: z.literal(true), ref_id: z.string(), error: z.null() }).strict(),
  executeFailed: z
    .object({ success: z.literal(false), ref_id: z.null(), error: z.string() })
    .strict(),
  running: z
    .object({ running: z.literal(true), cmd: z.string(), created_at: z.string().regex(localIso) })
    .strict(),
  finished: z
    .object({
      running: z.literal(false),
      cmd: z.string(),
      created_at: z.string().regex(localIso),
      output: z.string(),
      error: z.string(),
      returncode: z.number().int(),
      finished_at: z.string().regex(localIso),
    })
    .strict(),
  notFound: z
    .object({ error: z.literal('Process not found'), running: z.literal(false), cmd: z.null() })
    .strict(),
  list: z
    .object({
      success: z.literal(true),
      processes: z.array(
        z
          .object({
            ref_id: z.string(),
            cmd: z.string(),
            running: z.boolean(),
            created_at: z.string().regex(localIso),
          })
          .strict(),
      ),
      count: z.number().int(),
    })
    .strict(),
  cleanup: z.object({ success: z.boolean(), ref_id: z.string(), message: z.string() }).strict(),
};

/**
 * Calls a background-command-executor tool: never an isError result nor structuredContent, only
 * JSON text laid out as json.dumps(indent=2); returns it parsed by SCHEMA, and its text.
 */
async function callBce<S extends z.ZodType>(
  harness: Harness,
  name: string,
  args: Record<string, unknown>,
  schema: S,
): Promise<{ data: z.output<S>; keys: string[]; text: string }> {
  const result = await harness.call(name, args);
  const text = textOf(result);
  expect(result.isError, `${name}: ${text}`).toBeFalsy();
  expect(result.structuredContent).toBeUndefined();
  expect(result.content).toHaveLength(1);
  const raw = JSON.parse(text) as Record<string, unknown>;
  // ensure_ascii: the text is printable ASCII and newlines only.
  expect(text).toMatch(/^[\n\x20-\x7e]*$/);
  if (!/\\u[0-9a-f]{4}/.test(text)) expect(text).toBe(JSON.stringify(raw, null, 2));
  return { data: schema.parse(raw), keys: Object.keys(raw), text };
}

describe('profile background-command-executor', () => {
  const profile = 'background-command-executor';

  it('lists exactly its four tools, with its argument names and no output schemas', async () => {
    const harness = await open({ profile });
    const { tools } = await harness.client.listTools();
    const shapes = Object.fromEntries(
      tools.map((tool) => [
        tool.name,
        {
          properties: Object.keys(tool.inputSchema.properties ?? {}),
          required: tool.inputSchema.required ?? [],
          outputSchema: tool.outputSchema,
        },
      ]),
    );
    expect(shapes).toEqual({
      execute_command_background: {
        properties: ['cmd'],
        required: ['cmd'],
        outputSchema: undefined,
      },
      get_command_background_result: {
        properties: ['ref_id'],
        required: ['ref_id'],
        outputSchema: undefined,
      },
      list_background_processes: { properties: [], required: [], outputSchema: undefined },
      cleanup_background_process: {
        properties: ['ref_id'],
        required: ['ref_id'],
        outputSchema: undefined,
      },
    });
    const info = harness.client.getServerVersion();
    expect(info?.name).toBe('background-command-executor');
  });

  it('runs a pipeline and returns its whole result in the original shape', async () => {
    const harness = await open({ profile });
    const cmd = 'echo a | tr a b; echo err >&2; exit 3';
    const started = await callBce(harness, 'execute_command_background', { cmd }, bce.execute);
    expect(started.keys).toEqual(['success', 'ref_id', 'error']);
    await finished(harness, started.data.ref_id);

    const result = await callBce(
      harness,
      'get_command_background_result',
      { ref_id: started.data.ref_id },
      bce.finished,
    );
    expect(result.keys).toEqual([
      'running',
      'cmd',
      'created_at',
      'output',
      'error',
      'returncode',
      'finished_at',
    ]);
    expect(result.data).toMatchObject({ cmd, output: 'b\n', error: 'err\n', returncode: 3 });
    // Local wall-clock times without a zone, as datetime.now().isoformat() writes them.
    const status = await harness.engine.status({ job_id: started.data.ref_id });
    expect(Math.abs(Date.parse(result.data.created_at) - Date.parse(status.created_at))).toBe(0);
    expect(Date.parse(result.data.finished_at)).toBe(Date.parse(status.ended_at ?? ''));
  });

  it('shows a running command without output, and lists active commands oldest first', async () => {
    const harness = await open({ profile });
    const first = await callBce(
      harness,
      'execute_command_background',
      { cmd: 'true' },
      bce.execute,
    );
    await finished(harness, first.data.ref_id);
    const long = 'sleep 1000';
    const second = await callBce(harness, 'execute_command_background', { cmd: long }, bce.execute);
    const third = await callBce(
      harness,
      'execute_command_background',
      { cmd: 'sleep 999' },
      bce.execute,
    );

    const running = await callBce(
      harness,
      'get_command_background_result',
      { ref_id: second.data.ref_id },
      bce.running,
    );
    expect(running.keys).toEqual(['running', 'cmd', 'created_at']);
    expect(running.data.cmd).toBe(long);

    // As the original documents: active processes only (the finished `true` is not listed).
    const listed = await callBce(harness, 'list_background_processes', {}, bce.list);
    expect(listed.keys).toEqual(['success', 'processes', 'count']);
    expect(listed.data.count).toBe(2);
    expect(
      listed.data.processes.map(({ ref_id, cmd, running }) => ({ ref_id, cmd, running })),
    ).toEqual([
      { ref_id: second.data.ref_id, cmd: long, running: true },
      { ref_id: third.data.ref_id, cmd: 'sleep 999', running: true },
    ]);
    expect(Object.keys(listed.data.processes[0] ?? {})).toEqual([
      'ref_id',
      'cmd',
      'running',
      'created_at',
    ]);
  });

  it('reports a death by signal as -15 and escapes non-ASCII output like json.dumps', async () => {
    const harness = await open({ profile });
    const cmd = "printf 'caf\\303\\251\\n'; kill -TERM $$";
    const started = await callBce(harness, 'execute_command_background', { cmd }, bce.execute);
    await finished(harness, started.data.ref_id);
    const result = await callBce(
      harness,
      'get_command_background_result',
      { ref_id: started.data.ref_id },
      bce.finished,
    );
    expect(result.data).toMatchObject({ output: 'café\n', returncode: -15 });
    expect(result.text).toContain('"output": "caf\\u00e9\\n"');
  });

  it('cleans up by ending the whole process tree and forgetting the command', async () => {
    const harness = await open({ profile });
    const marker = uniqueMarker();
    const started = await callBce(
      harness,
      'execute_command_background',
      { cmd: treeCommand(marker) },
      bce.execute,
    );
    await treeRunning(marker);
    const { ref_id } = started.data;

    const cleaned = await callBce(harness, 'cleanup_background_process', { ref_id }, bce.cleanup);
    expect(cleaned.keys).toEqual(['success', 'ref_id', 'message']);
    expect(cleaned.data).toEqual({
      success: true,
      ref_id,
      message: 'Process cleaned up successfully',
    });
    await treeGone(marker);

    await callBce(harness, 'get_command_background_result', { ref_id }, bce.notFound);
    const listed = await callBce(harness, 'list_background_processes', {}, bce.list);
    expect(listed.data).toEqual({ success: true, processes: [], count: 0 });
    const again = await callBce(harness, 'cleanup_background_process', { ref_id }, bce.cleanup);
    expect(again.data).toEqual({ success: false, ref_id, message: 'Process not found' });
  });

  it('answers unknown ref_ids and an empty command the way the original does', async () => {
    const harness = await open({ profile });
    for (const ref_id of ['zzzzzzzz', UUID]) {
      const result = await callBce(
        harness,
        'get_command_background_result',
        { ref_id },
        bce.notFound,
      );
      expect(result.text).toBe(
        '{\n  "error": "Process not found",\n  "running": false,\n  "cmd": null\n}',
      );
      const cleaned = await callBce(harness, 'cleanup_background_process', { ref_id }, bce.cleanup);
      expect(cleaned.data).toEqual({ success: false, ref_id, message: 'Process not found' });
    }
    const empty = await callBce(
      harness,
      'execute_command_background',
      { cmd: '' },
      bce.executeFailed,
    );
    expect(empty.data.error).toBe('Failed to start background command: Command cannot be empty');
  });
});

// ── mcp-background-job ─────────────────────────────────────────────────────────────────────
const utcIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;
const statusEnum = z.enum(['queued', 'running', 'completed', 'failed', 'killed']);

const mbj = {
  execute: z.object({ job_id: z.string() }),
  list: z.object({
    jobs: z.array(
      z
        .object({
          job_id: z.string(),
          status: statusEnum,
          command: z.string(),
          started: z.string().regex(utcIso),
        })
        .strict(),
    ),
  }),
  status: z.object({ status: statusEnum }),
  output: z.object({ stdout: z.string(), stderr: z.string() }),
  kill: z.object({ status: z.enum(['killed', 'already_terminated', 'not_found']) }),
};

/** Calls a mcp-background-job tool that must succeed: structuredContent, and the same as text. */
async function callMbj<S extends z.ZodObject>(
  harness: Harness,
  name: string,
  args: Record<string, unknown>,
  schema: S,
): Promise<z.output<S>> {
  const { text, data } = await harness.ok(name, args, schema);
  // FastMCP's text for a model: compact JSON of the same object.
  expect(text).toBe(JSON.stringify(data));
  return data;
}

describe('profile mcp-background-job', () => {
  const profile = 'mcp-background-job';

  it('lists exactly its seven tools, with its argument and result names', async () => {
    const harness = await open({ profile });
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
      execute: { input: ['command'], required: ['command'], output: ['job_id'] },
      list: { input: [], required: [], output: ['jobs'] },
      status: { input: ['job_id'], required: ['job_id'], output: ['status'] },
      output: { input: ['job_id'], required: ['job_id'], output: ['stdout', 'stderr'] },
      tail: {
        input: ['job_id', 'lines'],
        required: ['job_id'],
        output: ['stdout', 'stderr'],
      },
      interact: {
        input: ['job_id', 'input'],
        required: ['job_id', 'input'],
        output: ['stdout', 'stderr'],
      },
      kill: { input: ['job_id'], required: ['job_id'], output: ['status'] },
    });
    const tail = tools.find((tool) => tool.name === 'tail');
    expect(tail?.inputSchema.properties?.lines).toMatchObject({
      type: 'integer',
      default: 50,
      minimum: 1,
      maximum: 1000,
    });
    expect(harness.client.getServerVersion()?.name).toBe('mcp-background-job');
  });

  it('runs a pipeline: execute, status, output, tail and list in the original shapes', async () => {
    const harness = await open({ profile });
    const command = "echo a | tr a b; printf '1\\n2\\n3\\n'; echo oops >&2";
    const { job_id } = await callMbj(harness, 'execute', { command }, mbj.execute);
    await finished(harness, job_id);

    expect(await callMbj(harness, 'status', { job_id }, mbj.status)).toEqual({
      status: 'completed',
    });
    expect(await callMbj(harness, 'output', { job_id }, mbj.output)).toEqual({
      stdout: 'b\n1\n2\n3',
      stderr: 'oops',
    });
    expect(await callMbj(harness, 'tail', { job_id, lines: 2 }, mbj.output)).toEqual({
      stdout: '2\n3',
      stderr: 'oops',
    });
    expect(await callMbj(harness, 'tail', { job_id }, mbj.output)).toEqual({
      stdout: 'b\n1\n2\n3',
      stderr: 'oops',
    });

    const failing = await callMbj(harness, 'execute', { command: 'exit 2' }, mbj.execute);
    await finished(harness, failing.job_id);
    const { jobs } = await callMbj(harness, 'list', {}, mbj.list);
    // Newest first, with UTC start times as pydantic writes them.
    expect(jobs.map(({ job_id: id, status, command: c }) => ({ id, status, c }))).toEqual([
      { id: failing.job_id, status: 'failed', c: 'exit 2' },
      { id: job_id, status: 'completed', c: command },
    ]);
    const started = (await harness.engine.status({ job_id })).started_at ?? '';
    expect(Date.parse(jobs[1]?.started ?? '')).toBe(Date.parse(started));
  });

  it('interacts with a running job, kills it, then answers as the original', async () => {
    const harness = await open({ profile });
    const { job_id } = await callMbj(harness, 'execute', { command: 'cat' }, mbj.execute);
    expect(await callMbj(harness, 'interact', { job_id, input: 'hello' }, mbj.output)).toEqual({
      stdout: 'hello',
      stderr: '',
    });

    expect(await callMbj(harness, 'kill', { job_id }, mbj.kill)).toEqual({ status: 'killed' });
    expect(await callMbj(harness, 'status', { job_id }, mbj.status)).toEqual({
      status: 'killed',
    });
    expect(await callMbj(harness, 'kill', { job_id }, mbj.kill)).toEqual({
      status: 'already_terminated',
    });
    expect(await harness.fails('interact', { job_id, input: 'more' })).toBe(
      `Job ${job_id} is not running and cannot accept input`,
    );
    expect(await callMbj(harness, 'output', { job_id }, mbj.output)).toEqual({
      stdout: 'hello',
      stderr: '',
    });
  });

  it('kills the whole process tree', async () => {
    const harness = await open({ profile });
    const marker = uniqueMarker();
    const { job_id } = await callMbj(
      harness,
      'execute',
      { command: treeCommand(marker) },
      mbj.execute,
    );
    await treeRunning(marker);
    expect(await callMbj(harness, 'kill', { job_id }, mbj.kill)).toEqual({ status: 'killed' });
    await treeGone(marker);
  });

  it('shows a queued job as queued (never running), a timed-out one as failed, a SIGTERM death as killed', async () => {
    const harness = await open({
      profile,
      settings: { BGJOBS_MAX_JOBS: '1' },
      caller: { jobTimeoutS: 1 },
    });
    const slow = await callMbj(harness, 'execute', { command: 'sleep 1000' }, mbj.execute);
    const queued = await callMbj(harness, 'execute', { command: 'echo hi' }, mbj.execute);
    expect((await harness.engine.status({ job_id: queued.job_id })).status).toBe('queued');
    expect(await callMbj(harness, 'status', queued, mbj.status)).toEqual({
      status: 'queued',
    });
    const listed = await callMbj(harness, 'list', {}, mbj.list);
    expect(listed.jobs.find((job) => job.job_id === queued.job_id)?.status).toBe('queued');

    await finished(harness, slow.job_id);
    expect((await harness.engine.status(slow)).status).toBe('timed_out');
    expect(await callMbj(harness, 'status', slow, mbj.status)).toEqual({
      status: 'failed',
    });

    const term = await callMbj(harness, 'execute', { command: 'kill -TERM $$' }, mbj.execute);
    await finished(harness, term.job_id);
    expect(await callMbj(harness, 'status', term, mbj.status)).toEqual({
      status: 'killed',
    });
  });

  it('answers unknown job ids and an empty command the way the original does', async () => {
    const harness = await open({ profile });
    for (const job_id of ['zzzzzzzz', UUID]) {
      const notFound = `Job ${job_id} not found`;
      expect(await harness.fails('status', { job_id })).toBe(notFound);
      expect(await harness.fails('output', { job_id })).toBe(notFound);
      expect(await harness.fails('tail', { job_id, lines: 5 })).toBe(notFound);
      expect(await harness.fails('interact', { job_id, input: 'x' })).toBe(notFound);
      expect(await callMbj(harness, 'kill', { job_id }, mbj.kill)).toEqual({
        status: 'not_found',
      });
    }
    expect(await harness.fails('execute', { command: '   ' })).toBe(
      'Invalid command: Command cannot be empty',
    );
  });
});
