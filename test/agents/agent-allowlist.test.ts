// Proves: a background agent is held to the allowlist of whoever defined it — a command the
// allowlist refuses is refused when the agent is defined, and each run is admitted under that
// allowlist (its redirections too), not under none.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, it } from 'vitest';

import { isBgError } from '../../src/api/errors.js';
import { until } from '../helpers/home.js';
import { type AgentsHarness, openAgents } from './agents-harness.js';

let h: AgentsHarness;
afterEach(async () => {
  await h.close();
});

it('refuses an agent whose command the allowlist refuses, and runs an allowed one', async () => {
  h = await openAgents();
  const caller = { ...h.caller, env: { ...h.caller.env, BGJOBS_ALLOWED_COMMANDS: '^echo ' } };
  const refused = await h.agents
    .start({ name: 'bad', command: 'touch pwned', on_start: true }, caller)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(isBgError(refused) && refused.code).toBe('not_allowed');
  expect(h.store.get('bad')).toBeUndefined();

  await h.agents.start({ name: 'ok', command: 'echo hi', on_start: true }, caller);
  const [run] = await h.waitRuns('ok', 1);
  expect(await h.stdout(run ?? '')).toBe('hi\n');
});

it('admits each run under the definer allowlist: a redirection out of the project is refused', async () => {
  h = await openAgents();
  const outside = join(h.engine.home, 'outside.txt');
  const caller = { ...h.caller, env: { ...h.caller.env, BGJOBS_ALLOWED_COMMANDS: '^echo ' } };
  await h.agents.start({ name: 'redir', command: `echo x > ${outside}`, on_start: true }, caller);
  await until(
    async () => ((await h.agents.list({ name: 'redir' })).agents[0]?.error ?? null) !== null,
    20_000,
    'the run to be refused',
  );
  const [agent] = (await h.agents.list({ name: 'redir' })).agents;
  expect(agent?.error).toMatch(/not allowed|outside/i);
  expect(existsSync(outside)).toBe(false);
});
