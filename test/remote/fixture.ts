// One Redis, the daemon's side and the workers a test starts; all stopped after each test.
import { afterEach, beforeEach } from 'vitest';

import { startDaemonSide, startWorker, type TestDaemon, type TestWorker } from './harness.js';
import { startRedis, type TestRedis } from './redis-server.js';

export interface RemoteFixture {
  redis: TestRedis;
  daemon: TestDaemon;
  worker: (options: Parameters<typeof startWorker>[1]) => Promise<TestWorker>;
  /** Replaces the daemon's side with a new one on the same home (a daemon restart). */
  restartDaemon: () => Promise<TestDaemon>;
}

export function useRemote(
  options: { persist?: boolean; workerTimeoutMs?: number } = {},
): RemoteFixture {
  const workers: TestWorker[] = [];
  const fixture = {} as RemoteFixture;
  beforeEach(async () => {
    fixture.redis = await startRedis({ persist: options.persist ?? false });
    fixture.daemon = startDaemonSide(fixture.redis, { workerTimeoutMs: options.workerTimeoutMs });
    fixture.worker = async (workerOptions) => {
      const worker = await startWorker(fixture.redis, workerOptions);
      workers.push(worker);
      return worker;
    };
    fixture.restartDaemon = async () => {
      await fixture.daemon.close();
      fixture.daemon = startDaemonSide(fixture.redis, {
        home: fixture.daemon.home,
        workerTimeoutMs: options.workerTimeoutMs,
      });
      return fixture.daemon;
    };
  });
  afterEach(async () => {
    await fixture.daemon.close();
    for (const worker of workers.splice(0)) {
      await worker.stop();
      await worker.home.cleanup();
    }
    await fixture.daemon.home.cleanup();
    await fixture.redis.cleanup();
  });
  return fixture;
}
