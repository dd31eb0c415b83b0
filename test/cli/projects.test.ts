// Proves: `ls` run inside a project (a folder with .git) lists only that project's jobs and
// says which project it lists; `ls --all` lists the jobs of every project with a PROJECT column;
// `status` shows a job's project.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listOutputSchema } from '../../src/api/listing.js';
import { cli, makeHome, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

function project(name: string): string {
  const dir = join(home, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  return dir;
}

async function runIn(cwd: string, command: string): Promise<string> {
  const result = await cli(home, ['run', command], { cwd });
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

describe('bgjobs ls across projects', () => {
  it('lists the current project by default, and every project with --all', async () => {
    const alpha = project('alpha');
    const beta = project('beta');
    const inAlpha = await runIn(alpha, 'sleep 300');
    // A job started in a subfolder belongs to the project all the same.
    mkdirSync(join(beta, 'src'));
    const inBeta = await runIn(join(beta, 'src'), 'sleep 301');

    const here = await cli(home, ['ls'], { cwd: alpha });
    expect(here.code).toBe(0);
    const [header, ...rows] = here.stdout.trimEnd().split('\n');
    expect(header).not.toContain('PROJECT');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${inAlpha}\\s`));
    expect(here.stderr).toContain(`jobs of ${alpha} (--all for every project)`);

    const json = await cli(home, ['ls', '--json'], { cwd: join(beta, 'src') });
    const listed = listOutputSchema.parse(JSON.parse(json.stdout));
    expect(listed.project).toBe(beta);
    expect(listed.jobs.map((job) => job.job_id)).toEqual([inBeta]);

    const all = await cli(home, ['ls', '--all'], { cwd: alpha });
    const [allHeader, ...allRows] = all.stdout.trimEnd().split('\n');
    expect(allHeader).toMatch(/^ID\s+NAME\s+STATUS\s+EXIT\s+CREATED\s+RAN\s+PROJECT\s+COMMAND$/);
    expect(allRows).toHaveLength(2);
    expect(allRows[0]).toMatch(new RegExp(`^${inBeta}\\s.*\\s${beta}\\s+sleep 301$`));
    expect(allRows[1]).toMatch(new RegExp(`^${inAlpha}\\s.*\\s${alpha}\\s+sleep 300$`));
    expect(all.stderr).not.toContain('jobs of');

    const status = await cli(home, ['status', inBeta]);
    expect(status.stdout).toMatch(new RegExp(`^project\\s+${beta}$`, 'm'));
  });
});
