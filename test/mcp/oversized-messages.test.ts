// Proves, against the built CLI (`node dist/cli.js mcp`) and a real daemon: a message larger than
// the stdio limit (10 MiB) is answered with a JSON-RPC error that names the limit, the rest of its
// line is dropped, and the server goes on serving the calls after it; a command of several MB,
// under that limit, is refused for exceeding 64 KiB (how soon is a figure for `npm run bench`).
import { afterEach, beforeEach, expect, it } from 'vitest';

import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { listOutputSchema } from '../../src/api/listing.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { openStdioMcp, type StdioMcp } from '../helpers/mcp-stdio.js';
import { textOf } from './harness.js';

const MIB = 1024 * 1024;

let h: TestHome;
let mcp: StdioMcp | undefined;
beforeEach(async () => {
  h = makeHome();
  await startDaemon(h.config(), { env: h.env });
});
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
  await stopDaemon(h.config());
  await h.cleanup();
});

it('answers an oversized execute or interact with an error naming the limit, and serves on', async () => {
  mcp = await openStdioMcp(h);
  const started = await mcp.call('execute', { command: 'cat' });
  const { job_id } = executeOutputSchema.parse(started.structuredContent);

  const huge = 'x'.repeat(10 * MIB + 1);
  await expect(mcp.call('execute', { command: `echo ${huge}` })).rejects.toThrow(/10485760 bytes/);
  await expect(mcp.call('interact', { job_id, input: huge })).rejects.toThrow(/10485760 bytes/);
  // 16 MiB, split over many reads: still one error, and nothing of it is taken for a message.
  await expect(mcp.call('execute', { command: 'x'.repeat(16 * MIB) })).rejects.toThrow(
    /larger than the limit/,
  );

  const listed = await mcp.call('list', {});
  expect(listed.isError, textOf(listed)).toBeFalsy();
  expect(listOutputSchema.parse(listed.structuredContent).jobs.map((job) => job.job_id)).toEqual([
    job_id,
  ]);
  const killed = await mcp.call('kill', { job_id, signal: 'SIGKILL' });
  expect(killed.isError, textOf(killed)).toBeFalsy();
});

it('refuses a command of several MB for exceeding 64 KiB', async () => {
  mcp = await openStdioMcp(h);
  const result = await mcp.call('execute', { command: `echo ${'x'.repeat(8 * MIB)}` });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/the limit is 65536/);
  const listed = await mcp.call('list', {});
  expect(listOutputSchema.parse(listed.structuredContent).jobs).toEqual([]);
});
