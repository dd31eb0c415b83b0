// Proves, with the built CLI over a real daemon and a real worker process: a service of
// bgjobs.toml with `on = "LABEL"` is started by `bgjobs up` on a worker with that label (status
// names the worker, its output is mirrored), `env_from_worker` names what the worker supplies,
// and a bad label is refused at its line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cli, makeHome, teardown, until } from '../cli/cli-harness.js';
import { startWorker, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

describe('services with on in the project file', () => {
  let redis: TestRedis;
  let home: string;
  let project: string;
  let worker: TestWorker;
  let env: Record<string, string>;

  beforeEach(async () => {
    redis = await startRedis();
    home = makeHome();
    project = join(home, 'project');
    mkdirSync(project);
    env = { BGJOBS_REDIS_URL: redis.url.href };
    worker = await startWorker(redis, {
      name: 'build-box',
      labels: ['build'],
      env: { SERVICE_TOKEN: 'kept-on-the-worker' },
    });
  });

  afterEach(async () => {
    await teardown(home);
    await worker.stop();
    await worker.home.cleanup();
    await redis.cleanup();
  });

  it('bgjobs up runs the service on a worker with its label', async () => {
    writeFileSync(
      join(project, 'bgjobs.toml'),
      [
        '[services.api]',
        'command = "echo token=$SERVICE_TOKEN home=$BGJOBS_HOME; sleep 600"',
        'on = "build"',
        'env_from_worker = ["SERVICE_TOKEN"]',
        'ready = { pattern = "token=" }',
        '',
      ].join('\n'),
    );
    const up = await cli(home, ['up', '--json'], { cwd: project, env });
    expect(up.stderr).toBe('');
    const [step] = (JSON.parse(up.stdout) as { steps: { name: string; action: string }[] }).steps;
    expect(step).toMatchObject({ name: 'api', action: 'start' });

    const status = await until(
      async () => {
        const result = await cli(home, ['status', 'api', '--json'], { env });
        const parsed = JSON.parse(result.stdout) as {
          on: string | null;
          worker: { name: string } | null;
          ready_state: string | null;
        };
        return parsed.ready_state === 'ready' ? parsed : undefined;
      },
      'the service to be ready on its worker',
      30_000,
    );
    expect(status).toMatchObject({ on: 'build', worker: { name: 'build-box' } });
    const logs = await cli(home, ['logs', 'api'], { env });
    expect(logs.stdout).toBe(`token=kept-on-the-worker home=${worker.home.home}\n`);
  });

  it('refuses a bad label at its line', async () => {
    writeFileSync(join(project, 'bgjobs.toml'), '[services.api]\ncommand = "true"\non = "GPU"\n');
    const up = await cli(home, ['up', '--json'], { cwd: project, env });
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/bgjobs\.toml:3:1: services\.api\.on: /);
  });
});
