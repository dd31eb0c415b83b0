// Proves: a daemon is started with one malloc arena (MALLOC_ARENA_MAX=1) unless its starter set
// its own value, and drops the setting from its environment once running, so no job started
// with the daemon's environment inherits what bgjobs added; a user's own value is kept.
import { readFileSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { daemonEnv, forgetDaemonEnv } from '../../src/daemon/daemon-env.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { makeHome, type TestHome } from '../helpers/home.js';

let h: TestHome;
beforeEach(() => {
  h = makeHome();
});
afterEach(async () => {
  await stopDaemon(h.config()).catch(() => undefined);
  await h.cleanup();
});

describe('the daemon environment', () => {
  it('adds one malloc arena, and forgets exactly what it added', () => {
    const env = daemonEnv({ PATH: '/bin' });
    expect(env.MALLOC_ARENA_MAX).toBe('1');
    forgetDaemonEnv(env);
    expect(env).toEqual({ PATH: '/bin' });

    const own = daemonEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '4' });
    forgetDaemonEnv(own);
    expect(own).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '4' });
  });

  it('starts the daemon with it', async () => {
    const env = { ...h.env };
    delete env.MALLOC_ARENA_MAX;
    const { pid } = await startDaemon(h.config(), { env });
    // environ is what the process was started with: what glibc read.
    const started = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(started).toContain('MALLOC_ARENA_MAX=1');
  });
});
