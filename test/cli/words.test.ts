// Proves: an error reads the same on the CLI and over MCP but for the verb's name (`list` over
// MCP, `bgjobs ls` on the CLI), and `kill` accepts one set of signal forms on both surfaces
// (SIGTERM, TERM, term, 15), refusing anything else with the same list of forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killOutputSchema } from '../../src/api/control.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { forSurface } from '../../src/present/words.js';
import { type Harness, openHarness } from '../mcp/harness.js';
import { cli, makeHome, runJob, teardown } from './cli-harness.js';

describe('one vocabulary across the CLI and MCP', () => {
  let h: Harness;
  let home: string;
  beforeAll(async () => {
    h = await openHarness();
    home = makeHome();
  });
  afterAll(async () => {
    await h.close();
    await teardown(home);
  });

  it('an unknown job: the same sentence, naming `list` over MCP and `bgjobs ls` on the CLI', async () => {
    const overMcp = await h.fails('status', { job_id: 'zzzzzzzz' });
    expect(overMcp).toContain('`list`');
    const onCli = await cli(home, ['status', 'zzzzzzzz']);
    expect(onCli.code).toBe(1);
    expect(onCli.stderr).toContain('`bgjobs ls`');
    expect(onCli.stderr).not.toMatch(/\blist\b/);
    expect(onCli.stderr.trim()).toBe(`bgjobs: ${forSurface(overMcp, 'cli')}`);
  });

  it('a bad job reference reads the same way on both', async () => {
    const overMcp = await h.fails('status', { job_id: 'not a job!' });
    const onCli = await cli(home, ['status', 'not a job!']);
    expect(onCli.stderr.trim()).toBe(`bgjobs: ${forSurface(overMcp, 'cli')}`);
    expect(onCli.stderr).toContain('`bgjobs ls`');
  });

  it('MCP kill takes TERM, term, sigterm and 15, as the CLI does', async () => {
    for (const signal of ['TERM', 'term', 'sigterm', 15, '15', 'SIGTERM']) {
      const started = await h.ok('execute', { command: 'sleep 60' }, executeOutputSchema);
      const job_id = started.data.job_id;
      const killed = await h.ok(
        'kill',
        { job_id, signal, grace_s: 5 },
        killOutputSchema.omit({ message: true }),
      );
      expect(killed.data.status, String(signal)).toBe('killed');
    }
  });

  it('the CLI takes the same forms, and both refuse an unknown one listing them', async () => {
    for (const signal of ['TERM', 'sigterm', '15']) {
      const id = await runJob(home, ['sleep 60']);
      const killed = await cli(home, ['kill', id, '--signal', signal, '--json']);
      expect(killed.code, killed.stderr).toBe(0);
      expect((JSON.parse(killed.stdout) as { status: string }).status).toBe('killed');
    }
    const overMcp = await h.fails('kill', { job_id: 'zzzzzzzz', signal: 'BOGUS' });
    const onCli = await cli(home, ['kill', 'zzzzzzzz', '--signal', 'BOGUS']);
    expect(onCli.code).toBe(2);
    for (const form of ['SIGTERM', 'SIGUSR2', 'TERM', '15']) {
      expect(overMcp).toContain(form);
      expect(onCli.stderr).toContain(form);
    }
  });
});
