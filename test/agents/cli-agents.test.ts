// The CLI over a real daemon: `bgjobs up` is idempotent, replaces only what changed and stops
// what was removed; an invalid file changes nothing; after `kill -9` of the daemon a new one
// re-arms the agents and the next change runs once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cli, makeHome, teardown, until } from '../cli/cli-harness.js';

let home: string;
let project: string;
beforeEach(() => {
  home = makeHome();
  project = join(home, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
});
afterEach(async () => teardown(home));

interface Step {
  kind: string;
  name: string;
  action: string;
  job_id: string | null;
  error: string | null;
}

async function up(verb: 'up' | 'down' = 'up'): Promise<Step[]> {
  const result = await cli(home, [verb, '--json'], { cwd: project });
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { steps: Step[] }).steps;
}

async function runsOf(agent: string): Promise<{ job_id: string; status: string }[]> {
  const listed = await cli(home, ['ls', '--agent', agent, '--json']);
  return (JSON.parse(listed.stdout) as { jobs: { job_id: string; status: string }[] }).jobs;
}

const FILE = (webCommand: string, withAgent: boolean) => `
[services.web]
command = "${webCommand}"

[services.worker]
command = "sleep 300"

${withAgent ? '[agents.lint]\ncommand = "true"\nwatch = "src/**"\n' : ''}`;

describe('bgjobs up and down', () => {
  it('changes nothing the second time, replaces only what changed, stops what was removed', async () => {
    writeFileSync(join(project, 'bgjobs.toml'), FILE('sleep 301', true));
    const first = await up();
    expect(first.map((s) => `${s.name}:${s.action}`)).toEqual([
      'web:start',
      'worker:start',
      'lint:start',
    ]);
    const again = await up();
    expect(again.every((s) => s.action === 'leave')).toBe(true);
    expect(again.map((s) => s.job_id)).toEqual(first.map((s) => s.job_id));

    writeFileSync(join(project, 'bgjobs.toml'), FILE('sleep 302', false));
    const edited = await up();
    expect(edited.map((s) => `${s.name}:${s.action}`)).toEqual([
      'web:replace',
      'worker:leave',
      'lint:stop',
    ]);
    expect(edited[1]?.job_id).toBe(first[1]?.job_id);
    const agents = JSON.parse((await cli(home, ['agents', '--json'])).stdout) as {
      agents: unknown[];
    };
    expect(agents.agents).toEqual([]);

    const down = await up('down');
    expect(down.map((s) => `${s.name}:${s.action}`)).toEqual(['web:stop', 'worker:stop']);
    const live = await cli(home, ['ls', '--all', '--json', '--status', 'running']);
    expect((JSON.parse(live.stdout) as { jobs: unknown[] }).jobs).toEqual([]);
  });

  it('refuses an invalid file with its line and column, and changes nothing', async () => {
    writeFileSync(
      join(project, 'bgjobs.toml'),
      '[agents.a]\ncommand = "true"\nevery = "5m"\nevry = "1h"\n',
    );
    const result = await cli(home, ['up'], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bgjobs\.toml:4:1: agents\.a\.evry: unknown key "evry"/);
    const agents = JSON.parse((await cli(home, ['agents', '--json'])).stdout) as {
      agents: unknown[];
    };
    expect(agents.agents).toEqual([]);
  });
});

describe('a daemon killed with SIGKILL', () => {
  it('is replaced by one that re-arms the agents: the next change runs once', async () => {
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
        '--cwd',
        project,
        '--',
        'printf "%s" "$BGJOBS_CHANGED"',
      ],
      { cwd: project },
    );
    expect(started.stderr).toBe('');
    writeFileSync(join(project, 'src', 'one.ts'), '1');
    await until(
      async () => (await runsOf('w')).some((run) => run.status === 'completed'),
      'the first run',
    );

    const status = JSON.parse((await cli(home, ['daemon', 'status', '--json'])).stdout) as {
      pid: number;
    };
    process.kill(status.pid, 'SIGKILL');
    await until(async () => {
      const now = JSON.parse((await cli(home, ['daemon', 'status', '--json'])).stdout) as {
        running: boolean;
      };
      return !now.running;
    }, 'the daemon to be gone');

    // Any command starts a new daemon, which arms the stored agents.
    const listed = JSON.parse((await cli(home, ['agents', '--json'])).stdout) as {
      agents: { state: string }[];
    };
    expect(listed.agents[0]?.state).toBe('armed');
    writeFileSync(join(project, 'src', 'two.ts'), '2');
    const runs = await until(async () => {
      const all = await runsOf('w');
      return all.length === 2 && all.every((run) => run.status === 'completed') ? all : undefined;
    }, 'the run after the restart');
    const latest = await cli(home, ['agent', 'logs', 'w']);
    expect(latest.stdout).toBe('src/two.ts');
    expect(runs).toHaveLength(2);
  });
});
