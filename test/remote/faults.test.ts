// Proves: a worker killed with -9 mid-job leaves the job running, and the same worker started
// again re-adopts it: output resumes with no gap and no duplicate byte, the exit code is exact;
// a worker that never comes back makes its job lost (never completed); the daemon's side going
// away mid-job and coming back catches up exactly; Redis restarted mid-job loses nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { daemonIdOf } from '../../src/remote/daemon/identity.js';
import { wireKeys } from '../../src/remote/wire.js';
import { until } from '../helpers/home.js';
import { useRemote } from './fixture.js';
import { testClient } from './harness.js';

/** Prints `line 1` … `line N`, one every 10 ms, then exits with CODE. */
function counter(lines: number, code: number): string {
  return `i=1; while [ $i -le ${lines} ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done; echo bye >&2; exit ${code}`;
}

function expectedLines(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `line ${i + 1}\n`).join('');
}

describe('faults', () => {
  describe('with a worker timeout', () => {
    const remote = useRemote({ workerTimeoutMs: 1500 });
    const stdoutOf = (id: string) => readFileSync(join(remote.daemon.dirOf(id), 'stdout'), 'utf8');

    it('makes the job lost, never completed, when its worker never comes back', async () => {
      const worker = await remote.worker({ name: 'gone', labels: ['f'] });
      const id = await remote.daemon.submit({
        label: 'f',
        command: 'echo started; exec sleep 1000',
      });
      await until(() => stdoutOf(id) === 'started\n', 20_000, 'the job to start');
      await worker.kill9();
      const end = await remote.daemon.waitEnd(id, 30_000);
      expect(end.exitCode).toBeNull();
      expect(end.lost).toMatch(/gone.*no heartbeat/);
    });
  });

  describe('with the daemon or Redis away', () => {
    const remote = useRemote({ persist: true });
    const stdoutOf = (id: string) => readFileSync(join(remote.daemon.dirOf(id), 'stdout'), 'utf8');

    it('re-adopts after kill -9 of the worker: no gap, no duplicate, exact exit code', async () => {
      const worker = await remote.worker({ name: 'phoenix', labels: ['f'] });
      const id = await remote.daemon.submit({ label: 'f', command: counter(300, 3) });
      await until(() => stdoutOf(id).includes('line 50\n'), 20_000, 'line 50');
      await worker.kill9();
      await worker.restart();
      const end = await remote.daemon.waitEnd(id, 60_000);
      expect(end).toMatchObject({ exitCode: 3, signal: null, lost: null, error: null });
      expect(stdoutOf(id)).toBe(expectedLines(300));
      expect(readFileSync(join(remote.daemon.dirOf(id), 'stderr'), 'utf8')).toBe('bye\n');
    });

    it('catches up after the daemon was down mid-job', async () => {
      await remote.worker({ name: 'steady', labels: ['f'] });
      const id = await remote.daemon.submit({ label: 'f', command: counter(200, 7) });
      await until(() => stdoutOf(id).includes('line 20\n'), 20_000, 'line 20');
      await remote.daemon.close();
      // The job goes on and ends while no daemon reads: its worker says so in Redis.
      const client = testClient(remote.redis);
      const run = `${daemonIdOf(remote.daemon.home.home)}.${id}.1`;
      await until(
        async () => (await client.hget(wireKeys('bgjobs').run(run), 'ended')) === '1',
        30_000,
        'the end',
      );
      client.disconnect();
      const daemon = await remote.restartDaemon();
      daemon.runs.adopt({ jobId: id, seq: 1, label: 'f', maxOutputBytes: 10 * 1024 * 1024 });
      const end = await daemon.waitEnd(id, 30_000);
      expect(end).toMatchObject({ exitCode: 7, lost: null });
      expect(stdoutOf(id)).toBe(expectedLines(200));
    });

    it('loses nothing when Redis restarts mid-job', async () => {
      const worker = await remote.worker({ name: 'patient', labels: ['f'] });
      const id = await remote.daemon.submit({ label: 'f', command: counter(300, 5) });
      await until(() => stdoutOf(id).includes('line 30\n'), 20_000, 'line 30');
      await remote.redis.stop();
      // The job goes on on its worker while Redis is away.
      const run = `${daemonIdOf(remote.daemon.home.home)}.${id}.1`;
      const onWorker = join(worker.home.home, 'worker', 'jobs', run, 'stdout');
      await until(() => readFileSync(onWorker, 'utf8').includes('line 150\n'), 20_000, 'line 150');
      await remote.redis.restart();
      const end = await remote.daemon.waitEnd(id, 60_000);
      expect(end).toMatchObject({ exitCode: 5, lost: null, error: null });
      expect(stdoutOf(id)).toBe(expectedLines(300));
    });
  });
});
