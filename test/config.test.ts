// Proves: every setting is read under its BGJOBS_* name and its MCP_BG_* alias, with the
// documented defaults; a bad value is a clear config error naming the setting, never a silent
// fallback; sizes accept bytes and units.
import { describe, expect, it } from 'vitest';

import { DEFAULTS, loadConfig, parseSize } from '../src/config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ HOME: '/home/u' });
    expect(config).toMatchObject({
      home: '/home/u/.local/state/bgjobs',
      maxJobs: 10,
      maxOutputBytes: 10 * 1024 * 1024,
      jobTimeoutS: undefined,
      cleanupIntervalS: 300,
      workingDir: undefined,
      allowedCommands: undefined,
      killGraceS: 5,
      searchBudgetMs: 30_000,
    });
    expect(loadConfig({ BGJOBS_SEARCH_BUDGET_MS: '500' }).searchBudgetMs).toBe(500);
    expect(loadConfig({ XDG_STATE_HOME: '/state' }).home).toBe('/state/bgjobs');
    expect(DEFAULTS.maxJobs).toBe(10);
  });

  it('honours the MCP_BG_* aliases, the BGJOBS_* name winning', () => {
    const config = loadConfig({
      MCP_BG_MAX_JOBS: '3',
      MCP_BG_MAX_OUTPUT_SIZE: '20MB',
      MCP_BG_JOB_TIMEOUT: '60',
      MCP_BG_CLEANUP_INTERVAL: '30',
      MCP_BG_WORKING_DIR: '/tmp',
      MCP_BG_ALLOWED_COMMANDS: '^git\\s, ^npm test$',
    });
    expect(config).toMatchObject({
      maxJobs: 3,
      maxOutputBytes: 20 * 1024 * 1024,
      jobTimeoutS: 60,
      cleanupIntervalS: 30,
      workingDir: '/tmp',
      allowedCommands: ['^git\\s', '^npm test$'],
    });
    expect(loadConfig({ MCP_BG_MAX_JOBS: '3', BGJOBS_MAX_JOBS: '4' }).maxJobs).toBe(4);
  });

  it.each([
    ['BGJOBS_MAX_JOBS', 'abc'],
    ['BGJOBS_MAX_JOBS', '0'],
    ['MCP_BG_MAX_JOBS', '-1'],
    ['BGJOBS_MAX_OUTPUT', '10 parsecs'],
    ['BGJOBS_MAX_OUTPUT', '12'],
    ['BGJOBS_JOB_TIMEOUT', '1.5'],
    ['BGJOBS_CLEANUP_INTERVAL', '99999999999'],
    ['BGJOBS_ALLOWED_COMMANDS', '(unclosed'],
    ['BGJOBS_SEARCH_BUDGET_MS', '30s'],
    ['BGJOBS_SEARCH_BUDGET_MS', '0'],
  ])('refuses %s=%s with a clear error', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      expect.objectContaining({
        code: 'config',
        message: expect.stringContaining(name) as unknown,
      }),
    );
  });

  it('parses sizes with units', () => {
    expect(parseSize('1024', 'X')).toBe(1024);
    expect(parseSize('20MB', 'X')).toBe(20 * 1024 ** 2);
    expect(parseSize('1.5 GiB', 'X')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64k', 'X')).toBe(65536);
  });
});
