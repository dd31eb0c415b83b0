// Proves, for each runner through the same Runner contract (the shell runner with real monitors
// and processes, the prompt runner against a local HTTP server speaking OpenAI's wire format):
// a start is reported to the host once and holds a slot until the run's end, which is reported
// once with how it ended; stop ends a running job and its end is reported once; adopting a job
// the runner cannot find running reports its end instead of leaving it running; close reports
// nothing (what runs is left for the next daemon) and holds no slot.
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Ending, JobRecord } from '../../src/engine/model.js';
import { PromptRunner } from '../../src/engine/runners/prompt/prompt-runner.js';
import type { Runner, RunnerHost } from '../../src/engine/runners/runner.js';
import { ShellRunner } from '../../src/engine/runners/shell/shell-runner.js';
import { newJobRecord } from '../../src/engine/verbs/admit.js';
import { JobFolders } from '../../src/job-folder/folders.js';
import { membersOf, signalJob, untilOwnGroup } from '../../src/procfs/job-processes.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { startFakeProvider, type FakeProvider } from '../helpers/fake-providers.js';
import { preparedJob } from '../helpers/engine.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

class RecordingHost implements RunnerHost {
  readonly starts: string[] = [];
  readonly ends: { id: string; ending: Ending }[] = [];
  started(id: string): void {
    this.starts.push(id);
  }
  runEnded(job: JobRecord, ending: Ending): null {
    this.ends.push({ id: job.id, ending });
    return null;
  }
  ready(): void {
    // No runner here judges readiness itself.
  }
}

interface Setup {
  runner: Runner;
  /** A job that ends by itself soon, with success. */
  quick(): JobRecord;
  /** A job that runs until stopped. */
  long(): JobRecord;
  /** Whether ENDING says the job succeeded / was stopped, in this runner's terms. */
  succeeded(ending: Ending): boolean;
  stopped(ending: Ending): boolean;
  /** Ends what a closed runner left running. */
  cleanup(job: JobRecord): Promise<void>;
}

let home: TestHome;
let store: SqliteStore;
let folders: JobFolders;
let host: RecordingHost;
let provider: FakeProvider | undefined;
let setup: Setup;

beforeEach(() => {
  home = makeHome();
  store = SqliteStore.open(join(home.home, 'bgjobs.db'), { exclusive: true });
  folders = new JobFolders(home.home, 0);
  host = new RecordingHost();
});
afterEach(async () => {
  await setup.runner.close();
  await provider?.close();
  provider = undefined;
  await folders.close();
  store.close();
  await home.cleanup();
});

/** A job as the queue hands it to a runner: in the store as `running`, its folder made. */
function running(fields: Partial<JobRecord>, env: Record<string, string> = home.env): JobRecord {
  const base = newJobRecord({ config: home.config() }, preparedJob(home.home), {
    kind: 'shell',
    priority: 0,
    after: [],
    retries: 0,
    llm: null,
  });
  const job = { ...base, ...fields, status: 'running' as const, startedAt: Date.now() };
  folders.make(job.id);
  folders.writeEnv(job.id, env);
  store.insert(job);
  return job;
}

const shell = (): Setup => ({
  runner: new ShellRunner({ store, folders, host, cgroups: null, spares: null, limit: () => 10 }),
  quick: () => running({ command: 'echo hi' }),
  long: () => running({ command: 'sleep 600' }),
  succeeded: (ending) => ending.exit?.exitCode === 0,
  stopped: (ending) => ending.exit?.signal === 'SIGTERM',
  cleanup: async (job) => {
    const fresh = store.get(job.id) ?? job;
    await untilOwnGroup(fresh);
    signalJob(fresh, 'SIGKILL');
    await until(() => membersOf(fresh).length === 0, 10_000, 'the job to end');
  },
});

const prompt = (): Setup => {
  const fake = provider!;
  const llm = { model: fake.model, prompt: 'Say hello.', system: null, params: {} };
  return {
    runner: new PromptRunner({ store, folders, host, limit: () => 10, idleTimeoutS: 60 }),
    quick: () => running({ kind: 'llm', llm }, fake.env),
    long: () => {
      fake.enqueue({ hangAfter: 1 });
      return running({ kind: 'llm', llm }, fake.env);
    },
    succeeded: (ending) => ending.exit?.exitCode === 0 && /^answered/.test(ending.how ?? ''),
    stopped: (ending) => ending.how === 'the request to the model was aborted',
    cleanup: async () => undefined,
  };
};

describe.each([
  ['shell', shell],
  ['prompt', prompt],
] as const)('the %s runner', (kind, make) => {
  beforeEach(async () => {
    if (kind === 'prompt') provider = await startFakeProvider('openai');
    setup = make();
  });

  it('reports a start once, holds a slot until the end, and reports the end once', async () => {
    const job = setup.quick();
    await setup.runner.start(job);
    expect(host.starts).toEqual([job.id]);
    await until(() => host.ends.length > 0, 15_000, 'the end');
    expect(host.ends).toHaveLength(1);
    expect(host.ends[0]?.id).toBe(job.id);
    expect(setup.succeeded(host.ends[0]!.ending)).toBe(true);
    expect(setup.runner.running()).toBe(0);
  });

  it('stops a running job, and its end is reported once as stopped', async () => {
    const job = setup.long();
    await setup.runner.start(job);
    expect(setup.runner.running()).toBe(1);
    store.update(job.id, { stopRequest: 'kill' });
    await setup.runner.stop(store.get(job.id)!, 'SIGTERM', 5000);
    await until(() => host.ends.length > 0, 15_000, 'the end');
    expect(host.ends).toHaveLength(1);
    expect(setup.stopped(host.ends[0]!.ending), JSON.stringify(host.ends)).toBe(true);
    expect(setup.runner.running()).toBe(0);
  });

  it('reports the end of an adopted job it cannot find running, never leaving it running', async () => {
    // Left "running" by a daemon that died before recording any process, long ago.
    const job = setup.long();
    store.update(job.id, { runStartedAt: Date.now() - 60_000 });
    setup.runner.adopt(store.get(job.id)!);
    await until(() => host.ends.length > 0, 15_000, 'the end');
    expect(host.ends).toEqual([{ id: job.id, ending: expect.objectContaining({}) as Ending }]);
    expect(host.ends[0]?.ending.exit).toBeUndefined();
    expect(setup.runner.running()).toBe(0);
  });

  it('reports nothing on close and holds no slot after it', async () => {
    const job = setup.long();
    await setup.runner.start(job);
    await setup.runner.close();
    expect(host.ends).toEqual([]);
    expect(setup.runner.running()).toBe(0);
    await setup.cleanup(job);
  });
});
