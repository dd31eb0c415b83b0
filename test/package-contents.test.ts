// Proves: the published package holds the built code and the README, and no bench or test code.
import { execFileSync } from 'node:child_process';

import { expect, it } from 'vitest';
import { z } from 'zod';

const packSchema = z.array(z.object({ files: z.array(z.object({ path: z.string() })) }));

it('publishes dist and the README, and no bench or test code', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    encoding: 'utf8',
  });
  const files = packSchema.parse(JSON.parse(out))[0]!.files.map((f) => f.path);
  expect(files).toContain('dist/cli.js');
  expect(files).toContain('dist/bin.cjs');
  expect(files).toContain('dist/cli/main.cjs');
  expect(files).toContain('dist/monitor/monitor.sh');
  expect(files).toContain('README.md');
  expect(files.filter((path) => /(^|\/)(bench|test)(\/|$)|\.test\./.test(path))).toEqual([]);
});
