// Proves, for a job the monitor runs in a pseudo-terminal (BGJOBS_PTY_COLS/ROWS, as spawnMonitor
// passes them): the job sees a terminal (python3 shows its >>> prompt without -i) of exactly
// the size asked for (stty size, tput); what is written to the stdin FIFO is typed into it
// (print(6*7) gives 42); byte 0x03 is ctrl-c (interrupts a busy python loop, which survives);
// closing stdin is ctrl-d (end of input); the exit file gets the command's status, 128+N for a
// death by signal N; the recorded job pid leads the terminal's session, so SIGTERM to its
// process group ends the job, and no variable meant for the terminal leaks into the job; a
// curses program's screen reads back through readScreen, and keys in the mode it asked for
// (application cursor keys) reach it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { keyBytes } from '../../src/api/keys.js';
import { readScreen } from '../../src/logs/screen.js';
import { jobProcesses, procStat } from '../../src/procfs/proc.js';
import {
  openStdinForWrite,
  readExitFile,
  readPidFile,
  spawnMonitor,
  type PtySize,
} from '../../src/monitor/spawn.js';
import { pathsIn } from '../../src/job-folder/paths.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

// The interpreter itself, not a version manager's shim: the tests give python a HOME of its
// own (it writes its REPL history there), where a shim would not find its versions.
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();

let home: TestHome;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  // Every process started here carries this test's BGJOBS_HOME; they are ended by pid.
  await home.cleanup();
});

interface PtyJob {
  dir: string;
  stdout: () => string;
  type: (bytes: string) => void;
  pids: () => { monitorPid: number; jobPid: number };
}

let jobCount = 0;
async function startPty(command: string, pty: PtySize = { cols: 80, rows: 24 }): Promise<PtyJob> {
  const dir = join(home.home, `job${++jobCount}`);
  mkdirSync(dir, { mode: 0o700 });
  const env = { ...home.env, HOME: home.home, TERM: 'xterm-256color' };
  await spawnMonitor(pathsIn(dir), command, env, process.cwd(), pty);
  await until(() => readPidFile(pathsIn(dir).pid), 10_000, 'the pid file');
  return {
    dir,
    stdout: () => readFileSync(join(dir, 'stdout'), 'latin1'),
    type: (bytes) => {
      const fd = openStdinForWrite(pathsIn(dir).stdin);
      if (fd === undefined) throw new Error('no one reads the stdin FIFO');
      try {
        writeSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
    },
    pids: () => {
      const pids = readPidFile(pathsIn(dir).pid);
      if (!pids) throw new Error('no pid file');
      return pids;
    },
  };
}

async function outputMatches(job: PtyJob, pattern: RegExp, what: string): Promise<string> {
  return until(() => (pattern.test(job.stdout()) ? job.stdout() : undefined), 15_000, what);
}

const exitOf = (job: PtyJob) =>
  until(() => readExitFile(pathsIn(job.dir).exit), 15_000, `the exit file of ${job.dir}`);

describe('a job in a pseudo-terminal', () => {
  it('python3 without -i shows its prompt, and a line typed into the FIFO runs', async () => {
    const job = await startPty(`exec '${PYTHON}'`);
    await outputMatches(job, />>> $/, 'the >>> prompt');
    job.type('print(6*7)\n');
    await outputMatches(job, /\r\n42\r\n>>> $/, '42 and a new prompt');
  });

  it('byte 0x03 is ctrl-c: it interrupts a busy loop and python lives on', async () => {
    const job = await startPty(`exec '${PYTHON}'`);
    await outputMatches(job, />>> $/, 'the >>> prompt');
    // 'sp' + 'in' appears joined only in the output, never in the echoed input.
    job.type(`exec("print('sp' + 'in')\\nwhile True: pass")\n`);
    await outputMatches(job, /\r\nspin\r\n/, 'the loop to start');
    expect(readExitFile(pathsIn(job.dir).exit)).toBeUndefined();
    job.type('\x03');
    await outputMatches(job, /KeyboardInterrupt\r\n>>> $/, 'KeyboardInterrupt and a new prompt');
    job.type('print(6*7)\n');
    await outputMatches(job, /\r\n42\r\n>>> $/, '42 after the interrupt');
  });

  it('has the size asked for', async () => {
    const job = await startPty('stty size; tput cols; tput lines', { cols: 100, rows: 30 });
    expect(await exitOf(job)).toEqual({ exitCode: 0, signal: null });
    expect(job.stdout()).toBe('30 100\r\n100\r\n30\r\n');
  });

  it('records the exit status of the command, and 128+N for a death by signal N', async () => {
    const exits = await startPty('echo bye; exit 7');
    const signalled = await startPty('kill -TERM $$');
    expect(await exitOf(exits)).toEqual({ exitCode: 7, signal: null });
    expect(exits.stdout()).toBe('bye\r\n');
    expect(await exitOf(signalled)).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('takes closing stdin (SIGUSR1 to the monitor) as ctrl-d: end of input', async () => {
    const job = await startPty('cat; echo "cat ended"');
    await until(() => isReadingTerminal(job.pids().jobPid), 10_000, 'cat to read');
    job.type('meow\n');
    // Echoed by the terminal, then written back by cat.
    await outputMatches(job, /^meow\r\nmeow\r\n$/, 'the echo and the copy');
    process.kill(job.pids().monitorPid, 'SIGUSR1');
    expect(await exitOf(job)).toEqual({ exitCode: 0, signal: null });
    expect(job.stdout()).toMatch(/cat ended\r\n$/);
  });

  it('records as the job pid the leader of the terminal session: signalling its group ends the job', async () => {
    const job = await startPty(
      `'${PYTHON}' -c 'import os, time; print(sorted(k for k in os.environ if k.startswith(("BGJOBS_PTY", "BGJOBS_JOB_COMMAND", "BGJOBS_CGROUP"))), os.environ.get("SHELL")); time.sleep(1000)'`,
    );
    const shell = process.env.SHELL ?? 'None';
    await outputMatches(job, new RegExp(`\\[\\] ${shell}\\r\\n`), 'the environment report');
    const { jobPid, monitorPid } = job.pids();
    const leader = procStat(jobPid);
    expect(leader).toMatchObject({ session: jobPid, pgrp: jobPid });
    expect(readlinkSync(`/proc/${jobPid}/fd/0`)).toMatch(/^\/dev\/pts\/\d+$/);
    // The job's processes are the ones the daemon's kill reaches: the leader and python.
    const members = jobProcesses(jobPid, leader?.startTime ?? 0);
    expect(members.length).toBeGreaterThanOrEqual(1);
    expect(members.some((p) => p.pid === monitorPid)).toBe(false);

    process.kill(-jobPid, 'SIGTERM');
    expect(await exitOf(job)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    await until(() => jobProcesses(jobPid).length === 0, 10_000, 'the session to empty');
  });

  it("shows a curses program's screen, and takes arrow keys in the mode it asked for", async () => {
    const job = await startPty(`exec '${PYTHON}' test/fixtures/curses-keys.py`, {
      cols: 40,
      rows: 10,
    });
    const screenOf = async () => readScreen(Buffer.from(job.stdout(), 'latin1'), 40, 10);
    const first = await until(
      async () => {
        const screen = await screenOf();
        return screen.text.includes('last key: none') ? screen : undefined;
      },
      15_000,
      'the first screen',
    );
    const lines = first.text.split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(`┌─ bgjobs curses ${'─'.repeat(22)}┐`);
    expect(lines[2]).toBe(`│   size 40x10${' '.repeat(25)}│`);
    expect(lines[9]).toBe(`└${'─'.repeat(38)}┘`);
    expect(first).toMatchObject({ alternateScreen: true, cursor: null });
    expect(first.applicationCursorKeys).toBe(true);

    job.type(keyBytes('down', { applicationCursorKeys: first.applicationCursorKeys }));
    await until(
      async () => (await screenOf()).text.includes('last key: KEY_DOWN'),
      15_000,
      'KEY_DOWN on the screen',
    );
    job.type('q');
    expect(await exitOf(job)).toEqual({ exitCode: 0, signal: null });
  });
});

// Blocked in read(2) on its terminal: /proc/PID/syscall starts with the syscall number, 0 or
// 63 (read on x86-64, arm64), and fd 0 is the terminal.
function isReadingTerminal(leader: number): boolean {
  return jobProcesses(leader).some((p) => {
    try {
      const syscall = readFileSync(`/proc/${p.pid}/syscall`, 'latin1').split(' ');
      const reading = (syscall[0] === '0' || syscall[0] === '63') && syscall[1] === '0x0';
      return reading && readlinkSync(`/proc/${p.pid}/fd/0`).startsWith('/dev/pts/');
    } catch {
      return false;
    }
  });
}
