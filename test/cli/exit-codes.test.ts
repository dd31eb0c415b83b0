// Proves: an unknown job is exit 1 with a `bgjobs: ` message naming it, on every verb that takes
// an id; a bad setting (under its BGJOBS_* name or MCP_BG_* alias) is exit 78 with a message
// naming the setting, before any daemon is started; usage errors are exit 2; --help and
// --version are exit 0.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cli, makeHome, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

describe('exit codes', () => {
  it('exits 1 with a clear message for an unknown job, on every verb', async () => {
    const verbs = [
      ['status', 'zzzzzzzz'],
      ['logs', 'zzzzzzzz'],
      ['logs', '-f', 'zzzzzzzz'],
      ['tail', 'zzzzzzzz'],
      ['search', 'zzzzzzzz', 'x'],
      ['send', 'zzzzzzzz', 'hi'],
      ['kill', 'zzzzzzzz'],
      ['wait', 'zzzzzzzz'],
      ['rm', 'zzzzzzzz'],
      ['status', 'no-such-name'],
    ];
    for (const args of verbs) {
      const result = await cli(home, args);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toMatch(/^bgjobs: .*(zzzzzzzz|no-such-name)/);
      expect(result.stdout).toBe('');
    }
  });

  it('exits 78 for a bad setting, naming it, and starts no daemon', async () => {
    const bad = await cli(home, ['ls'], { env: { BGJOBS_MAX_JOBS: 'abc' } });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/^bgjobs: .*BGJOBS_MAX_JOBS="abc"/);

    const alias = await cli(home, ['daemon', 'start'], { env: { MCP_BG_MAX_OUTPUT_SIZE: 'lots' } });
    expect(alias.code).toBe(78);
    expect(alias.stderr).toContain('MCP_BG_MAX_OUTPUT_SIZE');

    const status = await cli(home, ['daemon', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false });
  });

  it('exits 2 for usage errors', async () => {
    const usage = [
      ['run'],
      ['frobnicate'],
      ['ls', '--status', 'bogus'],
      ['ls', '--limit', 'many'],
      ['kill', 'zzzzzzzz', '--signal', 'FOO'],
      ['run', '--env', 'not a pair', 'true'],
      ['wait', 'zzzzzzzz', '--timeout', '-1'],
      ['daemon'],
    ];
    for (const args of usage) {
      const result = await cli(home, args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).not.toBe('');
    }
  });

  it('exits 0 for --help and --version', async () => {
    const help = await cli(home, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: bgjobs');
    for (const verb of [
      'run',
      'ls',
      'status',
      'logs',
      'tail',
      'search',
      'send',
      'kill',
      'wait',
      'rm',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${verb}\\b`, 'm'));
    }

    // `daemon run` is what `daemon start` spawns: there, but not offered to people.
    const daemonHelp = await cli(home, ['daemon', '--help']);
    expect(daemonHelp.stdout).toMatch(/^ {2}start\b[\s\S]*^ {2}stop\b[\s\S]*^ {2}status\b/m);
    expect(daemonHelp.stdout).not.toMatch(/^ {2}run\b/m);

    const version = await cli(home, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
