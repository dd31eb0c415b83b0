// A watch agent: one run per debounced burst, with the changed paths in BGJOBS_CHANGED; ignored
// paths, the bgjobs home and symlinks out of the tree start nothing; a storm makes one run;
// .git and node_modules folders, at any depth, take no inotify watch.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileWatch } from '../../src/agents/file-watch.js';
import { until } from '../helpers/home.js';
import { openAgents, type AgentsHarness } from './agents-harness.js';

let h: AgentsHarness;
beforeEach(async () => {
  h = await openAgents();
  mkdirSync(join(h.project, 'src'));
});
afterEach(async () => h.close());

const ECHO_CHANGED = 'printf "%s" "$BGJOBS_CHANGED"';

describe('watch agents', () => {
  it('runs once after a touch, with the path in BGJOBS_CHANGED and the agent in BGJOBS_AGENT', async () => {
    await h.agents.start(
      {
        name: 'tests',
        command: 'printf "%s|%s" "$BGJOBS_AGENT" "$BGJOBS_CHANGED"',
        watch: ['src/**/*.ts'],
        debounce_ms: 100,
      },
      h.caller,
    );
    writeFileSync(join(h.project, 'src', 'a.ts'), 'export {};\n');
    const [run] = await h.waitRuns('tests', 1);
    expect(await h.stdout(run ?? '')).toBe('tests|src/a.ts');
    expect(h.store.runOf(run ?? '')?.trigger).toEqual({ kind: 'watch', changed: ['src/a.ts'] });
    const status = await h.engine.engine.status({ job_id: run ?? '' });
    expect(status).toMatchObject({
      agent: 'tests',
      trigger: { kind: 'watch', changed: ['src/a.ts'] },
    });
    await h.engine.engine.execute({ command: 'true' }, { caller: h.engine.caller });
    const listed = await h.engine.engine.list({ agent: 'tests' }, { caller: h.engine.caller });
    expect(listed.jobs.map((job) => job.job_id)).toEqual([run]);
  });

  it('starts no run for an ignored file: the next run sees only the watched path', async () => {
    await h.agents.start(
      {
        name: 'lint',
        command: ECHO_CHANGED,
        watch: 'src/**',
        ignore: ['src/gen/**'],
        debounce_ms: 100,
      },
      h.caller,
    );
    mkdirSync(join(h.project, 'src', 'gen'));
    mkdirSync(join(h.project, 'node_modules'));
    writeFileSync(join(h.project, 'src', 'gen', 'out.ts'), 'x');
    writeFileSync(join(h.project, 'node_modules', 'x.ts'), 'x');
    writeFileSync(join(h.project, 'other.ts'), 'x');
    // The watched write comes after the ignored ones: had they counted, they would be in this run.
    writeFileSync(join(h.project, 'src', 'b.ts'), 'x');
    const runs = await h.waitRuns('lint', 1);
    expect(runs).toHaveLength(1);
    expect(await h.stdout(runs[0] ?? '')).toBe('src/b.ts');
  });

  it('makes one run of a burst of 1,000 writes', async () => {
    await h.agents.start(
      {
        name: 'burst',
        command: 'echo "$BGJOBS_CHANGED" | wc -l',
        watch: 'src/**',
        debounce_ms: 300,
      },
      h.caller,
    );
    for (let i = 0; i < 1000; i++)
      writeFileSync(join(h.project, 'src', `f${i % 100}.ts`), String(i));
    const [first] = await h.waitRuns('burst', 1);
    // A sentinel write afterwards: its run must be the second, so the burst made exactly one.
    writeFileSync(join(h.project, 'src', 'sentinel.ts'), 'x');
    const runs = await h.waitRuns('burst', 2);
    expect(runs[0]).toBe(first);
    expect((await h.stdout(first ?? '')).trim()).toBe('100');
    expect(h.store.runOf(runs[1] ?? '')?.trigger.changed).toEqual(['src/sentinel.ts']);
  });

  it('does not follow a symlink out of the tree', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'bgjobs-outside-'));
    try {
      symlinkSync(outside, join(h.project, 'src', 'link'));
      await h.agents.start(
        { name: 'safe', command: ECHO_CHANGED, watch: '**', debounce_ms: 100 },
        h.caller,
      );
      writeFileSync(join(outside, 'secret.ts'), 'x');
      writeFileSync(join(h.project, 'src', 'c.ts'), 'x');
      const runs = await h.waitRuns('safe', 1);
      expect(await h.stdout(runs[0] ?? '')).toBe('src/c.ts');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('says when its globs match no file yet, and refuses a cwd that does not exist', async () => {
    await h.agents.start(
      { name: 'none', command: 'true', watch: 'nothing/**/*.zig', debounce_ms: 100 },
      h.caller,
    );
    const info = await (async () => {
      for (;;) {
        const [agent] = (await h.agents.list({ name: 'none' })).agents;
        if (agent?.warnings.length) return agent;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    expect(info.state).toBe('armed');
    expect(info.warnings[0]).toMatch(/matches no file/);
    await expect(
      h.agents.start({ name: 'nowhere', command: 'true', every: '1m', cwd: 'missing' }, h.caller),
    ).rejects.toThrow(/does not exist/);
  });

  it("ignores bgjobs' own home when it lies inside the watched tree", async () => {
    const home = join(h.project, 'state');
    mkdirSync(join(home, 'jobs'), { recursive: true });
    const bursts: string[][] = [];
    const watch = new FileWatch({
      root: h.project,
      patterns: ['**'],
      ignore: [],
      home,
      debounceMs: 100,
      onBurst: (paths) => bursts.push(paths),
      onError: (error) => bursts.push([error.message]),
    });
    await watch.start();
    try {
      writeFileSync(join(home, 'jobs', 'stdout'), 'x');
      writeFileSync(join(h.project, 'src', 'd.ts'), 'x');
      await until(() => bursts.length > 0, 10_000, 'a burst');
      expect(bursts).toEqual([['src/d.ts']]);
    } finally {
      await watch.close();
    }
  });

  it('takes no inotify watch for .git and node_modules folders, at any depth', async () => {
    const dirs = [
      'src/lib',
      'node_modules/a/b',
      'src/node_modules/c',
      '.git/objects/ab',
      'app/.git',
    ];
    for (const dir of dirs) mkdirSync(join(h.project, dir), { recursive: true });
    const watch = new FileWatch({
      root: h.project,
      patterns: ['**'],
      ignore: [],
      home: join(h.project, 'nowhere'),
      debounceMs: 100,
      onBurst: () => undefined,
      onError: () => undefined,
    });
    const before = inotifyWatches();
    await watch.start();
    try {
      // The root, src, src/lib and app: nothing inside node_modules or .git.
      expect(inotifyWatches() - before).toBe(4);
    } finally {
      await watch.close();
    }
  });
});

/** The inotify watches this process holds (one `inotify wd:` line each in its fdinfo). */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    count += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}
