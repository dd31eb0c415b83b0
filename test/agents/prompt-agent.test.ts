// A `prompt` agent end to end, against the built CLI (`bgjobs mcp`), a real daemon and a local
// fake provider speaking OpenAI's streaming wire format: a change starts one prompt run whose
// request carries the prompt with {{changed}} filled in (the changed path, no placeholder left),
// and the run's output is the model's answer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { agentListOutputSchema, agentStartOutputSchema } from '../../src/agents/api.js';
import { outputOutputSchema } from '../../src/api/read.js';
import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { startFakeProvider, type FakeProvider } from '../helpers/fake-providers.js';
import { makeHome, type TestHome, until } from '../helpers/home.js';
import { openStdioMcp, type StdioMcp } from '../helpers/mcp-stdio.js';

let h: TestHome;
let fake: FakeProvider;
let mcp: StdioMcp;
beforeEach(async () => {
  h = makeHome();
  fake = await startFakeProvider('openai', { chunks: ['Looks ', 'fine.'] });
  await startDaemon(h.config(), { env: h.env });
  // The agent's runs get the environment of whoever defined it: here, the MCP server's.
  mcp = await openStdioMcp(h, fake.env);
});
afterEach(async () => {
  await mcp.close();
  await stopDaemon(h.config());
  await fake.close();
  await h.cleanup();
});

async function call<T>(
  name: string,
  args: Record<string, unknown>,
  schema: { parse: (v: unknown) => T },
): Promise<T> {
  const result = await mcp.call(name, args);
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return schema.parse(result.structuredContent);
}

it('sends the prompt with {{changed}} filled in, and the answer is the run output', async () => {
  const project = join(h.home, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  await call(
    'agent_start',
    {
      name: 'review',
      prompt: 'Review these changed files:\n{{changed}}\nBe brief.',
      model: fake.model,
      watch: 'src/**',
      debounce_ms: 100,
      cwd: project,
    },
    agentStartOutputSchema,
  );
  writeFileSync(join(project, 'src', 'parse.ts'), 'export const x = 1;\n');

  const request = await fake.request(0);
  const sent = JSON.stringify(request.body);
  expect(sent).toContain('Review these changed files:\\nsrc/parse.ts\\nBe brief.');
  expect(sent).not.toContain('{{changed}}');

  const run = await until(async () => {
    const { agents } = await call('agent_list', { name: 'review' }, agentListOutputSchema);
    const last = agents[0]?.last_run;
    return last && last.status !== 'running' && last.status !== 'queued' ? last : undefined;
  }, 30_000);
  expect(run.status).toBe('completed');
  const output = await call('output', { job_id: run.job_id, raw: true }, outputOutputSchema);
  expect(output.stdout).toContain('Looks fine.');
  expect(fake.requests).toHaveLength(1);
});
