// Proves: a job's folder is <home>/jobs/<id> with its named files, and an id that is not an id
// (a path, shell text) is refused before it can reach the filesystem.
import { describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { jobDir, jobPaths } from '../../src/job-folder/paths.js';

describe('job paths', () => {
  it('names every file of a job under <home>/jobs/<id>', () => {
    expect(jobDir('/h', 'k3f9x2qa')).toBe('/h/jobs/k3f9x2qa');
    expect(jobPaths('/h', 'k3f9x2qa')).toEqual({
      dir: '/h/jobs/k3f9x2qa',
      stdout: '/h/jobs/k3f9x2qa/stdout',
      stderr: '/h/jobs/k3f9x2qa/stderr',
      stdin: '/h/jobs/k3f9x2qa/stdin',
      exit: '/h/jobs/k3f9x2qa/exit',
      exitRecord: '/h/jobs/k3f9x2qa/exit.tmp',
      pid: '/h/jobs/k3f9x2qa/pid',
      command: '/h/jobs/k3f9x2qa/command',
      monitorLog: '/h/jobs/k3f9x2qa/monitor.log',
      cgroup: '/h/jobs/k3f9x2qa/cgroup',
      env: '/h/jobs/k3f9x2qa/env',
    });
  });

  it('refuses anything that is not a job id', () => {
    for (const id of ['../../etc', 'k3f9x2q', 'K3F9X2QA', 'a/b', '', 'k3f9x2qa/..']) {
      expect(() => jobDir('/h', id)).toThrow(BgError);
    }
  });
});
