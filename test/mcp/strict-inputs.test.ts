// Proves, through a real MCP client: every bgjobs tool publishes additionalProperties:false and
// refuses an unknown argument with an isError result naming it and the nearest known one, and
// does nothing (no job starts); the FastMCP drop-in profiles keep FastMCP's tolerance of unknown
// arguments. The JobsApi refuses unknown fields the same way, nested ones included.
import { afterEach, describe, expect, it } from 'vitest';

import { INPUT_SCHEMAS, API_METHODS, parseInput } from '../../src/api/contract.js';
import { nearestName } from '../../src/api/strict.js';
import { openEngine } from '../helpers/engine.js';
import { ERAS, type Harness, openHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(ERAS)('strict inputs for a %s client', (era) => {
  it('every tool publishes additionalProperties: false', async () => {
    h = await openHarness(era);
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeGreaterThan(5);
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
    }
  });

  it('an unknown argument is an isError result naming the nearest known one', async () => {
    h = await openHarness(era);
    const started = await h.fails('execute', { command: 'echo hi', timeout: 5 });
    expect(started).toContain('unknown field "timeout" (did you mean "timeout_s"?)');
    expect((await h.engine.list({})).jobs).toEqual([]);
    const waited = await h.fails('wait', { job_id: 'zzzzzzzz', untill: 'input' });
    expect(waited).toContain('unknown field "untill" (did you mean "until"?)');
    const nested = await h.fails('execute', { command: 'echo hi', ready: { patern: 'x' } });
    expect(nested).toContain('ready: unknown field "patern" (did you mean "pattern"?)');
  });
});

describe('drop-in profiles keep their tolerance', () => {
  it('mcp-background-job (FastMCP) ignores an unknown argument, as FastMCP did', async () => {
    h = await openHarness('legacy', { profile: 'mcp-background-job' });
    const { tools } = await h.client.listTools();
    expect(tools.find((t) => t.name === 'execute')?.inputSchema.additionalProperties).not.toBe(
      false,
    );
    const result = await h.call('execute', { command: 'echo hi', timeout: 5 });
    expect(result.isError).not.toBe(true);
    expect((await h.engine.list({})).jobs).toHaveLength(1);
  });
});

describe('the JobsApi', () => {
  it('refuses an unknown field in every method', () => {
    for (const method of API_METHODS) {
      expect(
        () => parseInput(INPUT_SCHEMAS[method], { job_id: 'abc', bogus_field: 1 }),
        method,
      ).toThrow(/unknown field "bogus_field"/);
    }
  });

  it('refuses before doing anything, through the engine', async () => {
    const e = await openEngine();
    try {
      await expect(
        e.engine.execute({ command: 'echo hi', time_out: 3 } as never, { caller: e.caller }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('did you mean "timeout_s"?') as unknown,
      });
      expect((await e.engine.list({})).jobs).toEqual([]);
    } finally {
      await e.close();
    }
  });

  it('names the nearest field, or none when nothing is near', () => {
    const known = ['job_id', 'timeout_s', 'settle_ms', 'close_stdin'];
    expect(nearestName('timeout', known)).toBe('timeout_s');
    expect(nearestName('jobid', known)).toBe('job_id');
    expect(nearestName('settel_ms', known)).toBe('settle_ms');
    expect(nearestName('colour', known)).toBeUndefined();
  });
});
