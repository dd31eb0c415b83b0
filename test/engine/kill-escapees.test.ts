// Proves: kill ends a job's escapees — a `setsid` child and a double-forked daemon writing to
// the job's stdout, both outside its process group and session — and lists them as escapees;
// with the job's cgroup (where the system gives one) and without it (BGJOBS_CGROUPS=off: found
// by BGJOBS_JOB_ID in their environment, or by the job's log file they hold open for writing,
// the daemon here having dropped the marker); no process of the job is left, no cgroup either.
import { existsSync, readFileSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import { procStat } from '../../src/procfs/proc.js';
import {
  openEngine,
  processesWithMarker,
  uniqueMarker,
  type EngineHarness,
} from '../helpers/engine.js';
import { until } from '../helpers/home.js';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// A setsid sleep with no stdout (found by its marker), and a daemon that forks twice into a
// session of its own, drops BGJOBS_JOB_ID and writes ticks to the job's stdout (found by the fd).
const COMMAND = [
  'setsid sleep 300 >/dev/null 2>&1 </dev/null &',
  `env -u BGJOBS_JOB_ID setsid sh -c '(while :; do echo tick; sleep 0.2; done) &' </dev/null`,
  'echo started; sleep 1000',
].join('\n');

/** The setsid sleep and the ticking daemon: the job's processes outside its session. */
async function escapeesOf(marker: string, jobPid: number, monitorPid: number): Promise<number[]> {
  return until(
    () => {
      const outside = processesWithMarker(marker).filter((pid) => {
        const stat = procStat(pid);
        return stat !== undefined && stat.session !== jobPid && pid !== monitorPid;
      });
      const cmdline = (pid: number): string => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        } catch {
          return ''; // gone meanwhile (a tick's sleep)
        }
      };
      const sleeper = outside.find((pid) => cmdline(pid) === 'sleep\0' + '300\0');
      // The daemon once its parent has exited (a double fork): reparented out of the job.
      const marked = processesWithMarker(marker);
      const ticker = outside.find(
        (pid) => cmdline(pid).startsWith('sh\0-c\0') && !marked.includes(procStat(pid)?.ppid ?? 0),
      );
      return sleeper !== undefined && ticker !== undefined ? [sleeper, ticker] : undefined;
    },
    15_000,
    'the setsid sleep and the double-forked daemon',
  );
}

const MODES: { mode: string; settings: Record<string, string> }[] = [
  { mode: 'with cgroups where the system gives them', settings: {} },
  { mode: 'without cgroups', settings: { BGJOBS_CGROUPS: 'off' } },
];

describe.each(MODES)('kill ends escapees $mode', ({ settings }) => {
  it('ends a setsid child and a double-forked daemon, and lists them as escapees', async () => {
    h = await openEngine(settings);
    const marker = uniqueMarker();
    const job = await h.engine.execute(
      { command: COMMAND, env: { BGJOBS_TEST_MARKER: marker } },
      { caller: h.caller },
    );
    const record = await until(() => {
      const r = h!.engine.store.get(job.job_id);
      return r?.pid != null && r.monitorPid != null ? r : undefined;
    });
    const escaped = await escapeesOf(marker, record.pid!, record.monitorPid!);
    // The daemon writes into the job's stdout from outside its session.
    await until(
      async () => (await h!.engine.output({ job_id: job.job_id })).stdout.includes('tick'),
      15_000,
      'ticks in stdout',
    );
    const cgroupFile = h.engine.folders.paths(job.job_id).cgroup;
    const cgroup = existsSync(cgroupFile) ? readFileSync(cgroupFile, 'utf8') : null;
    if (settings.BGJOBS_CGROUPS === 'off') expect(cgroup).toBeNull();

    const result = await h.engine.kill({ job_id: job.job_id, grace_s: 2 });

    expect(result.status).toBe('killed');
    for (const pid of escaped) expect(result.escaped_pids).toContain(pid);
    for (const pid of result.escaped_pids) expect(result.killed_pids).toContain(pid);
    expect(result.escaped_pids).not.toContain(record.pid);
    expect(result.escaped_pids).not.toContain(record.monitorPid);
    expect(result.message).toMatch(/escapee/);
    await until(() => processesWithMarker(marker).length === 0, 15_000, 'no process left');
    for (const pid of escaped) {
      const stat = procStat(pid);
      expect(stat === undefined || stat.state === 'Z').toBe(true);
    }
    if (cgroup !== null) await until(() => !existsSync(cgroup), 15_000, 'the cgroup removed');
  });
});
