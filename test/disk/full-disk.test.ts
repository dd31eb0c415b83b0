// Proves: with BGJOBS_HOME on a full 5 MB tmpfs the daemon stays up and answers reads (also
// after a kill -9 and a restart on the full disk); a new job is refused with "disk full" and the
// numbers; a job that ends while the disk is full has its exit code written by its monitor
// into space reserved when it started, and recorded in the store as soon as space returns;
// once it has, new jobs run again.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killProcessesWithEnv, procStat } from '../../src/procfs/proc.js';
import { cli, runJob, until } from '../cli/cli-harness.js';
import { fillUp } from '../helpers/fill-disk.js';

interface JobJson {
  status: string;
  exit_code: number | null;
}

let mnt = '';
let mounted = false;
let outside = '';
const skipReason = tryMount();

function tryMount(): string | undefined {
  mnt = mkdtempSync(join(tmpdir(), 'bgj-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
    return undefined;
  } catch (error) {
    rmSync(mnt, { recursive: true, force: true });
    return `cannot mount a tmpfs here (needs root): ${String(error).split('\n')[0]}`;
  }
}

beforeAll(() => {
  outside = mkdtempSync(join(tmpdir(), 'bgj-full-go-'));
});
afterAll(async () => {
  if (mounted) {
    await killProcessesWithEnv(`BGJOBS_HOME=${join(mnt, 'home')}`);
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
  rmSync(outside, { recursive: true, force: true });
});

function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
}

async function statusOf(home: string, id: string): Promise<JobJson | undefined> {
  const result = await cli(home, ['status', id, '--json'], { timeoutMs: 60_000 });
  return result.code === 0 ? (JSON.parse(result.stdout) as JobJson) : undefined;
}

describe.skipIf(skipReason !== undefined)(`a full disk ${skipReason ?? ''}`, () => {
  it('keeps the daemon up, refuses new jobs, and loses no exit code', async () => {
    const home = join(mnt, 'home');
    mkdirSync(home, { mode: 0o700 });
    // Room the test gives back later, as a person deleting files would.
    writeFileSync(join(mnt, 'ballast'), Buffer.alloc(1536 * 1024));
    const go = join(outside, 'go');
    const waiter = await runJob(home, [`while [ ! -e ${go} ]; do sleep 0.1; done; exit 7`]);
    const flood = await runJob(home, ['head -c 20000000 /dev/zero; exit 5']);
    // The flood's end is recorded on the full disk: the store's reserve makes room for it.
    const flooded = await until(async () => {
      const status = await statusOf(home, flood);
      return status?.status === 'failed' ? status : undefined;
    }, 'the flood job to be recorded as failed');
    expect(flooded.exit_code).toBe(5);
    // The reserve is spent; take what it gave back, so the database cannot grow at all now.
    fillUp(join(mnt, 'ballast2'));
    expect(freeBytes(mnt)).toBe(0);

    const listed = await cli(home, ['ls', '--all']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(waiter);
    const refused = await cli(home, ['run', 'echo hi']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/disk .*full/i);
    expect(refused.stderr).toMatch(/\d+(\.\d+)? [KM]?i?B free.*needs? .*\d/);

    // A daemon restarted on the full disk comes up and answers.
    const status = JSON.parse((await cli(home, ['daemon', 'status', '--json'])).stdout) as {
      pid: number;
    };
    process.kill(status.pid, 'SIGKILL');
    await until(
      () => procStat(status.pid) === undefined || procStat(status.pid)?.state === 'Z',
      'the daemon to die',
    );
    expect((await cli(home, ['ls', '--all'])).code).toBe(0);

    // The waiter ends while the disk is still full: its monitor still records the exit code.
    writeFileSync(go, '');
    const exitFile = join(home, 'jobs', waiter, 'exit');
    await until(() => {
      try {
        return readFileSync(exitFile, 'utf8').trim() === '7';
      } catch {
        return false;
      }
    }, "the waiter's exit file");

    // Space returns: the exit code is recorded, and new jobs run again.
    rmSync(join(mnt, 'ballast'));
    rmSync(join(mnt, 'ballast2'));
    const ended = await until(async () => {
      const s = await statusOf(home, waiter);
      return s?.status === 'failed' ? s : undefined;
    }, 'the waiter to be recorded');
    expect(ended.exit_code).toBe(7);
    const again = await runJob(home, ['echo again']);
    const waited = await cli(home, ['wait', again, '--timeout', '30', '--json']);
    expect(JSON.parse(waited.stdout)).toMatchObject({ done: true });
    expect((await statusOf(home, again))?.status).toBe('completed');

    await cli(home, ['daemon', 'stop']);
  }, 240_000);
});
