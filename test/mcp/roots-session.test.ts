// Proves: a client that declares roots has them used as the caller's — a job started (outside any
// git repository) in a root belongs to that root's project from the very first call (even when
// the client is slow to answer `roots/list`), `list` shows
// that project's jobs (and, when none matches, how many of other projects do), and a
// `notifications/roots/list_changed` is followed by the next call; a
// client without roots leaves the project unset; the caller's session is this process's
// `mcp:<pid>:<start time>`, so `lifetime: "session"` jobs can be started.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { listOutputSchema, statusOutputSchema } from '../../src/api/listing.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { mcpSessionOwner } from '../../src/mcp/session.js';
import { procStat } from '../../src/procfs/proc.js';
import { type Harness, openHarness } from './harness.js';

let h: Harness | undefined;
let folders: string;
let a: string;
let b: string;
beforeEach(() => {
  folders = realpathSync(mkdtempSync(join(tmpdir(), 'bgjobs-roots-')));
  a = join(folders, 'a');
  b = join(folders, 'b');
  mkdirSync(a);
  mkdirSync(b);
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  rmSync(folders, { recursive: true, force: true });
});

async function projectOf(args: Record<string, unknown>): Promise<string | null> {
  const { data } = await h!.ok('execute', args, executeOutputSchema);
  return (await h!.ok('status', { job_id: data.job_id }, statusOutputSchema)).data.project;
}

it("uses the client's roots as the caller's, from the first call and after they change", async () => {
  h = await openHarness('legacy', { roots: [a], caller: { cwd: a } });
  // The very first call: the server asked for the roots at initialisation and waited for them.
  expect(await projectOf({ command: 'true' })).toBe(a);
  expect(await projectOf({ command: 'true', cwd: b })).toBeNull();

  const mine = await h.ok('list', {}, listOutputSchema);
  expect(mine.data.project).toBe(a);
  expect(mine.data.jobs.map((j) => j.cwd)).toEqual([a]);
  expect((await h.ok('list', { all: true }, listOutputSchema)).data.total).toBe(2);

  await h.setRoots([a, b]);
  expect(await projectOf({ command: 'true', cwd: b })).toBe(b);
});

it('says, when no job of this project matches, how many of other projects do', async () => {
  h = await openHarness('legacy', { roots: [a, b], caller: { cwd: b } });
  await h.ok('execute', { command: 'true', cwd: a }, executeOutputSchema);
  await h.ok('execute', { command: 'true', cwd: a }, executeOutputSchema);
  const empty = await h.ok('list', {}, listOutputSchema);
  expect(empty.data).toMatchObject({ project: b, total: 0, jobs: [], other_projects: 2 });
  expect(empty.text).toBe(
    `No jobs match in project ${b}. 2 jobs of other projects match too: call list with all: true to see them.`,
  );
  await h.ok('execute', { command: 'true', cwd: b }, executeOutputSchema);
  const one = await h.ok('list', {}, listOutputSchema);
  expect(one.data).toMatchObject({ total: 1, other_projects: 2 });
  expect(one.text).toContain('call list with all: true');
  const all = await h.ok('list', { all: true }, listOutputSchema);
  expect(all.data).toMatchObject({ project: null, total: 3, other_projects: null });
  expect(all.text).not.toContain('other projects');
});

it('waits for a slow client to tell its roots before the first call', async () => {
  h = await openHarness('legacy', { roots: [a], rootsDelayMs: 300, caller: { cwd: a } });
  expect(await projectOf({ command: 'true' })).toBe(a);
});

it('leaves the project unset for a client without roots', async () => {
  h = await openHarness('legacy', { caller: { cwd: a } });
  expect(await projectOf({ command: 'true' })).toBeNull();
});

it("gives the caller this process's MCP session, so session jobs can be started", async () => {
  expect(mcpSessionOwner()).toEqual({ pid: process.pid, start: procStat(process.pid)?.startTime });
  h = await openHarness('legacy');
  const { data } = await h.ok(
    'execute',
    { command: 'sleep 300', lifetime: 'session' },
    executeOutputSchema,
  );
  const job = await h.ok('status', { job_id: data.job_id }, statusOutputSchema);
  expect(job.data).toMatchObject({ status: 'running', lifetime: 'session' });
});
