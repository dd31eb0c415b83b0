// `bgjobs serve --config FILE` runs the daemon in the foreground with the file applied, one JSON
// log line per event on stdout; `bgjobs daemon unit` prints a systemd user unit for it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { cli, makeHome, spawnCli, teardown, until } from '../cli/cli-harness.js';

let home: string;
let project: string;
beforeEach(() => {
  home = makeHome();
  project = join(home, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'bgjobs.toml'),
    '[agents.tick]\ncommand = "echo tick"\nevery = "1s"\n',
  );
});
afterEach(async () => teardown(home));

it('serves a project file in the foreground with JSON log lines, until SIGTERM', async () => {
  const served = spawnCli(home, ['serve', '--config', 'bgjobs.toml'], {
    cwd: project,
    env: { LOG_LEVEL: 'info' },
  });
  try {
    const lines = await until(() => {
      const parsed = served.seen.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: string; msg: string; job_id?: string });
      return parsed.some((line) => /run \w+ completed/.test(line.msg)) ? parsed : undefined;
    }, 'a logged run of the served agent');
    expect(lines.some((line) => line.msg === 'agent tick: start')).toBe(true);
    expect(lines.every((line) => ['debug', 'info', 'warn', 'error'].includes(line.level))).toBe(
      true,
    );
  } finally {
    served.child.kill('SIGTERM');
  }
  expect(await served.exited).toBe(0);
});

it('prints a systemd user unit that restarts always and leaves jobs running', async () => {
  const result = await cli(home, ['daemon', 'unit'], { cwd: project });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Restart=always$/m);
  expect(result.stdout).toMatch(/^Type=simple$/m);
  expect(result.stdout).toMatch(/^KillMode=process$/m);
  // One malloc arena, and the name the daemon drops from its jobs' environment.
  expect(result.stdout).toMatch(/^Environment=MALLOC_ARENA_MAX=1$/m);
  expect(result.stdout).toMatch(/^Environment=BGJOBS_DAEMON_ADDED_ENV=MALLOC_ARENA_MAX$/m);
  expect(result.stdout).toMatch(/^ExecStart=.* serve --config .*bgjobs\.toml$/m);
});
