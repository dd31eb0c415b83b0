// Proves: with an allowlist set for the caller, execute refuses a command outside it, also when
// hidden after ;, &&, a newline, $(…) or backticks, refuses env overrides, and runs what is allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openEngine, type EngineHarness } from '../helpers/engine.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await openEngine();
});
afterAll(async () => {
  await h.close();
});

const allow = () => ({ caller: { ...h.caller, allowedCommands: ['echo( |$)', 'ls( |$)'] } });

describe('allowlist at execute', () => {
  it('runs an allowed command', async () => {
    const job = await h.engine.execute({ command: 'echo fine | ls /' }, allow());
    const waited = await h.engine.wait({ job_id: job.job_id, timeout_s: 20 });
    expect(waited.jobs[0]?.status).toBe('completed');
  });

  it.each([
    'rm -rf /tmp/x',
    'echo a; id',
    'echo a && id',
    'echo a\nid',
    'echo $(id)',
    'echo `id`',
    'sh -c id',
    'eval id',
  ])('refuses %j', async (command) => {
    await expect(h.engine.execute({ command }, allow())).rejects.toMatchObject({
      code: 'not_allowed',
    });
  });

  it('refuses a line it cannot parse', async () => {
    await expect(
      h.engine.execute({ command: "echo 'unterminated" }, allow()),
    ).rejects.toMatchObject({ code: 'not_allowed' });
  });

  it('refuses env overrides while an allowlist is set', async () => {
    await expect(
      h.engine.execute({ command: 'echo hi', env: { LD_PRELOAD: '/tmp/x.so' } }, allow()),
    ).rejects.toMatchObject({
      code: 'not_allowed',
    });
  });
});
