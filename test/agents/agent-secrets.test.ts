// Proves: an agent's caller environment is kept in <home>/agents/<name>.env (0600) while the
// agent is defined, never in the database; its runs start with it, also after a daemon restart;
// removing the agent removes the file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { openAgents, type AgentsHarness } from './agents-harness.js';

let h: AgentsHarness;
beforeEach(async () => {
  h = await openAgents();
});
afterEach(async () => h.close());

it("keeps the agent's caller environment out of the database, for as long as it is defined", async () => {
  const secret = `tok-${Math.random().toString(36).slice(2)}-agent`;
  const caller = { ...h.caller, env: { ...h.caller.env, SECRET_TOKEN: secret } };
  await h.agents.start(
    { name: 'nightly', command: 'echo "got:$SECRET_TOKEN"', every: '1h' },
    caller,
  );
  const file = join(h.engine.home, 'agents', 'nightly.env');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  await h.restart();
  await h.agents.run({ name: 'nightly' });
  const [run] = await h.waitRuns('nightly', 1);
  expect(await h.stdout(run ?? '')).toBe(`got:${secret}\n`);
  const home = h.engine.home;
  for (const name of readdirSync(home).filter((f) => f.startsWith('bgjobs.db'))) {
    expect(readFileSync(join(home, name)).includes(secret)).toBe(false);
  }
  await h.agents.stop({ name: 'nightly', remove: true });
  expect(existsSync(file)).toBe(false);
});
