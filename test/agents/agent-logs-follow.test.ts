// `bgjobs agent logs NAME -f` over a real daemon: it keeps running and prints each run of the
// agent as it ends, in order, one header and the run's own output each.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, spawnCli, teardown, until } from '../cli/cli-harness.js';

let home: string;
let project: string;
let follower: ReturnType<typeof spawnCli> | undefined;
beforeEach(() => {
  home = makeHome();
  project = join(home, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
});
afterEach(async () => {
  // Started here, ended here, by its own pid.
  follower?.child.kill('SIGTERM');
  if (follower) await follower.exited;
  follower = undefined;
  await teardown(home);
});

it('follows the runs as they come', async () => {
  const started = await cli(
    home,
    [
      'agent',
      'start',
      'w',
      '--watch',
      'src/**',
      '--debounce',
      '100',
      '--',
      'printf "saw %s\\n" "$BGJOBS_CHANGED"',
    ],
    { cwd: project },
  );
  expect(started.code, started.stderr).toBe(0);
  follower = spawnCli(home, ['agent', 'logs', 'w', '-f']);

  writeFileSync(join(project, 'src', 'one.ts'), '1');
  await until(
    () => follower?.seen.stdout.includes('saw src/one.ts'),
    'the first run printed',
    30_000,
  );
  // The follower is still there, waiting for the next run.
  expect(follower.child.exitCode).toBeNull();

  writeFileSync(join(project, 'src', 'two.ts'), '2');
  await until(
    () => follower?.seen.stdout.includes('saw src/two.ts'),
    'the second run printed',
    30_000,
  );

  const lines = follower.seen.stdout.trim().split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^── run \S+ completed ──$/);
  expect(lines[1]).toBe('saw src/one.ts');
  expect(lines[2]).toMatch(/^── run \S+ completed ──$/);
  expect(lines[3]).toBe('saw src/two.ts');
  expect(lines[0]).not.toBe(lines[2]);
});
