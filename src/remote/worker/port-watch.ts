import { listeningSockets, portsOf } from '../../procfs/ports.js';
import { membersOf } from '../../procfs/job-processes.js';
import type { RunRecord } from './run-record.js';

/** The ports of a run are looked at this often (the socket tables cost a few ms a read). */
const EVERY_MS = 500;

/**
 * The TCP ports a run with a declared `port` listens on, as its worker's host sees them: the
 * daemon cannot see the worker's processes, so the worker says which ports the run's tree
 * listens on (on the run's event stream) each time the set changes. One read of the socket
 * tables serves every run.
 */
export class PortWatch {
  private readonly reported = new Map<string, string>();
  private readonly announce: (record: RunRecord, ports: number[]) => Promise<void>;
  private lastLook = 0;

  constructor(announce: (record: RunRecord, ports: number[]) => Promise<void>) {
    this.announce = announce;
  }

  forget(run: string): void {
    this.reported.delete(run);
  }

  /** One look at RECORDS (at most every 500 ms); a changed set of ports is announced. */
  lookAll(records: readonly RunRecord[]): void {
    const watched = records.filter((record) => record.payload.port !== null);
    if (watched.length === 0 || Date.now() - this.lastLook < EVERY_MS) return;
    this.lastLook = Date.now();
    const sockets = listeningSockets();
    for (const record of watched) {
      const ports = portsOf(membersOf(record), sockets);
      const key = ports.join(',');
      const run = record.payload.run;
      if (this.reported.get(run) === key) continue;
      this.reported.set(run, key);
      this.announce(record, ports).catch(() => this.reported.delete(run));
    }
  }
}
