// Proves: input reaches a remote job's stdin (`python3 -i` answers, closing stdin ends it with
// code 0); kill ends the whole remote tree, children that ignore SIGTERM too, and the end says
// it was a kill; a job killed before any worker took it never runs; env overrides travel and
// `env_from_worker` takes the worker's own variable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { processesWithMarker, uniqueMarker } from '../helpers/engine.js';
import { until } from '../helpers/home.js';
import { useRemote } from './fixture.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');

describe('control of remote jobs', () => {
  const remote = useRemote();
  const stdoutOf = (id: string) => readFileSync(join(remote.daemon.dirOf(id), 'stdout'), 'utf8');

  it('interacts with a remote python3 -i', async () => {
    await remote.worker({ name: 'py', labels: ['py'] });
    const id = await remote.daemon.submit({ label: 'py', command: 'python3 -i' });
    await remote.daemon.waitStart(id);
    await remote.daemon.runs.input(id, 'print(6 * 7)\n');
    await until(() => stdoutOf(id).includes('42\n'), 20_000, 'python to answer');
    await remote.daemon.runs.input(id, 'x = "remote"\nprint(x.upper())\n');
    await until(() => stdoutOf(id).includes('REMOTE\n'), 20_000, 'the second answer');
    await remote.daemon.runs.closeStdin(id);
    const end = await remote.daemon.waitEnd(id);
    expect(end.exitCode).toBe(0);
    expect(stdoutOf(id)).toBe('42\nREMOTE\n');
  });

  it('kills the whole remote tree, a TERM-ignoring child too', async () => {
    await remote.worker({ name: 'k', labels: ['k'] });
    const marker = uniqueMarker();
    const id = await remote.daemon.submit({
      label: 'k',
      command: `sh ${join(FIXTURES, 'trap-term.sh')}`,
      env: { BGJOBS_TEST_MARKER: marker },
    });
    await until(() => processesWithMarker(marker).length >= 3, 20_000, 'the tree');
    await until(() => stdoutOf(id).includes('ready'), 20_000, 'ready');
    await remote.daemon.runs.stop(id, { signal: 'SIGTERM', graceMs: 300, reason: 'kill' });
    const end = await remote.daemon.waitEnd(id);
    expect(end.stop).toBe('kill');
    // The job's shell dies of the TERM; what ignored it needed the KILL after the grace.
    expect(end.signal).toMatch(/^SIG(TERM|KILL)$/);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('cancels a job no worker took yet: it never runs', async () => {
    const id = await remote.daemon.submit({ label: 'later', command: 'echo ran' });
    await remote.daemon.runs.stop(id, { signal: 'SIGTERM', graceMs: 1000, reason: 'kill' });
    const end = await remote.daemon.waitEnd(id);
    expect(end).toMatchObject({ neverStarted: true, stop: 'kill', exitCode: null });
    await remote.worker({ name: 'late', labels: ['later'] });
    const other = await remote.daemon.submit({ label: 'later', command: 'echo second' });
    expect((await remote.daemon.waitEnd(other)).exitCode).toBe(0);
    expect(stdoutOf(id)).toBe('');
  });

  it('carries env overrides in the payload and takes env_from_worker from the worker', async () => {
    await remote.worker({ name: 'env', labels: ['env'], env: { WORKER_SECRET: 's3cret' } });
    const id = await remote.daemon.submit({
      label: 'env',
      command: 'echo "$GREETING $WORKER_SECRET"',
      env: { GREETING: 'hello' },
      envFromWorker: ['WORKER_SECRET'],
    });
    expect((await remote.daemon.waitEnd(id)).exitCode).toBe(0);
    expect(stdoutOf(id)).toBe('hello s3cret\n');
    const unasked = await remote.daemon.submit({
      label: 'env',
      command: 'echo "[$WORKER_SECRET]"',
    });
    expect((await remote.daemon.waitEnd(unasked)).exitCode).toBe(0);
    expect(stdoutOf(unasked)).toBe('[]\n');
    const missing = await remote.daemon.submit({
      label: 'env',
      command: 'echo never',
      envFromWorker: ['NOT_ON_THE_WORKER'],
    });
    const end = await remote.daemon.waitEnd(missing);
    expect(end.exitCode).toBeNull();
    expect(end.error).toMatch(/NOT_ON_THE_WORKER/);
  });
});
