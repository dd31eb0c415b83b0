// bgjobs.toml: services and agents parse; every error names the line and column; unknown keys
// are refused; the plan of `up` starts what is new, replaces what changed, leaves the rest and
// stops what the file no longer declares.
import { describe, expect, it } from 'vitest';

import { planDown, planUp, specHash, type CurrentState } from '../../src/agents/plan.js';
import { parseProjectFile, type ProjectFile } from '../../src/agents/project-file.js';

const FILE = `# a project
[services.web]
command = "npm run dev"
port = 3000
ready = { url = "http://localhost:3000" }

[agents.tests]
command = "npm test"
watch = ["src/**/*.ts", "package.json"]
debounce_ms = 500

[agents.audit]
command = "npm audit"
cron = "0 3 * * *"
tz = "Europe/Paris"
`;

function errorOf(text: string): string {
  try {
    parseProjectFile(text, 'bgjobs.toml');
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('the project file', () => {
  it('parses services and agents, naming agents by their table', () => {
    const file = parseProjectFile(FILE, 'bgjobs.toml');
    expect(file.services.web).toMatchObject({ command: 'npm run dev', port: 3000 });
    expect(file.agents.tests).toMatchObject({ name: 'tests', debounce_ms: 500, overlap: 'skip' });
    expect(file.agents.audit?.tz).toBe('Europe/Paris');
  });

  it('gives line and column for TOML syntax errors', () => {
    expect(errorOf('[agents.a]\ncommand = "x\n')).toMatch(/^bgjobs\.toml:2:\d+: /);
  });

  it('refuses unknown keys at their line', () => {
    expect(errorOf(`${FILE}\n[agents.lint]\ncommand = "x"\nwatch = "*"\nwatchh = "src"\n`)).toMatch(
      /^bgjobs\.toml:20:1: agents\.lint\.watchh: unknown key "watchh"/,
    );
    expect(errorOf('[servicez.web]\ncommand = "x"\n')).toMatch(
      /^bgjobs\.toml:1:1: .*unknown key "servicez"/,
    );
  });

  it('points at a bad value: an invalid cron, an interval under a second', () => {
    expect(errorOf('[agents.a]\ncommand = "x"\n  cron = "99 * * * *"\n')).toMatch(
      /^bgjobs\.toml:3:3: agents\.a\.cron: invalid cron/,
    );
    expect(errorOf('[agents.a]\ncommand = "x"\nevery = "10ms"\n')).toMatch(
      /^bgjobs\.toml:3:1: .*under 1 s/,
    );
  });
});

describe('the plan of up and down', () => {
  const file = parseProjectFile(FILE, 'bgjobs.toml');
  const applied = (f: ProjectFile): CurrentState => ({
    services: Object.entries(f.services).map(([name, spec]) => ({
      name,
      hash: specHash(spec),
      live: true,
    })),
    agents: Object.values(f.agents).map((spec) => ({
      name: spec.name,
      spec,
      armed: true,
      source: 'bgjobs.toml',
    })),
  });

  it('starts everything the first time and leaves everything the second', () => {
    const empty = { services: [], agents: [] };
    expect(planUp(file, 'bgjobs.toml', empty).map((s) => s.action)).toEqual([
      'start',
      'start',
      'start',
    ]);
    expect(planUp(file, 'bgjobs.toml', applied(file)).every((s) => s.action === 'leave')).toBe(
      true,
    );
  });

  it('replaces only what changed and stops what was removed', () => {
    const edited = parseProjectFile(
      FILE.replace('npm run dev', 'npm run serve').replace(/\[agents\.audit\][^]*$/, ''),
      'bgjobs.toml',
    );
    expect(planUp(edited, 'bgjobs.toml', applied(file))).toEqual([
      { kind: 'service', name: 'web', action: 'replace' },
      { kind: 'agent', name: 'tests', action: 'leave' },
      { kind: 'agent', name: 'audit', action: 'stop' },
    ]);
  });

  it('down stops what the file declares', () => {
    expect(
      planDown(file, 'bgjobs.toml', applied(file)).map((s) => `${s.kind}:${s.name}:${s.action}`),
    ).toEqual(['service:web:stop', 'agent:audit:stop', 'agent:tests:stop']);
  });
});
