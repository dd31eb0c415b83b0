// Proves: domain failures (unknown job, a path-like job id, a bad regex, an empty command) and
// input-validation failures come back as `isError` tool results whose text says what went wrong,
// never as protocol errors or internal errors, and the server keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listOutputSchema } from '../../src/api/listing.js';
import { ERAS, type Harness, openHarness } from './harness.js';

describe.each(ERAS)('errors for a %s client', (era) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(era);
  });
  afterAll(async () => {
    await h.close();
  });

  describe('domain failures', () => {
    it('an unknown job id names the id and points to list', async () => {
      for (const tool of ['status', 'output', 'tail', 'kill', 'remove', 'wait']) {
        const text = await h.fails(tool, { job_id: 'zzzzzzzz' });
        expect(text, tool).toContain('zzzzzzzz');
        expect(text, tool).toMatch(/list/);
        expect(text, tool).not.toMatch(/internal error/i);
      }
    });

    it('a path-like job id is refused, not looked up on disk', async () => {
      for (const ref of ['../../x', '/etc/passwd', 'a/b']) {
        const text = await h.fails('output', { job_id: ref });
        expect(text).not.toMatch(/internal error|ENOENT/i);
        expect(text.length).toBeGreaterThan(20);
      }
    });

    it('a bad regular expression in search says the pattern is invalid', async () => {
      const job = await h.call('execute', { command: 'echo hi' });
      const { job_id } = job.structuredContent as { job_id: string };
      await h.call('wait', { job_id, timeout_s: 30 });
      const text = await h.fails('search', { job_id, pattern: '(unclosed' });
      expect(text).toMatch(/regular expression|regex|pattern/i);
      expect(text).toContain('(unclosed');
    });

    it('an empty or blank command is refused', async () => {
      expect(await h.fails('execute', { command: '' })).toMatch(/command/);
      expect(await h.fails('execute', { command: '   ' })).toMatch(/command is empty/);
    });

    it('interact on a job that has ended says it is not running', async () => {
      const job = await h.call('execute', { command: 'true' });
      const { job_id } = job.structuredContent as { job_id: string };
      await h.call('wait', { job_id, timeout_s: 30 });
      const text = await h.fails('interact', { job_id, input: 'hello' });
      expect(text).toMatch(/not running|ended|completed/i);
    });
  });

  describe('input validation', () => {
    it.each([
      ['status', {}],
      ['status', { job_id: 42 }],
      ['execute', { command: ['echo', 'hi'] }],
      ['output', { job_id: 'abcdefgh', max_bytes: -1 }],
      ['kill', { job_id: 'abcdefgh', signal: 'SIGFOO' }],
      ['wait', { job_id: 'abcdefgh', timeout_s: 3600 }],
      ['list', { status: 'sleeping' }],
    ])('%s %j is an isError result naming the problem', async (tool, args) => {
      const text = await h.fails(tool, args);
      expect(text).toMatch(/Input validation error/);
    });
  });

  it('keeps serving after all of that', async () => {
    const { data } = await h.ok('list', {}, listOutputSchema);
    expect(data.total).toBeGreaterThan(0);
  });
});
