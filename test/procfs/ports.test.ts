// Proves: only LISTEN rows of /proc/net/tcp{,6} count and malformed rows are skipped; portsOf
// finds a process's own listening ports (IPv4 and IPv6) and no other process's; portHolders
// names every holder of a port (each process sharing a forked server's socket, and the holders
// of separate IPv4 and IPv6 sockets on one port) with its command cut to 200 characters;
// isListening follows a port from open to closed; a closed port disappears everywhere; a pid
// that does not exist, or a port out of range, gives nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  isListening,
  listeningSockets,
  parseListening,
  portHolders,
  portsOf,
} from '../../src/procfs/ports.js';
import { procStat } from '../../src/procfs/proc.js';

import { until } from '../helpers/home.js';

// Prints its port once listening; exits when its stdin closes, so it cannot outlive the test.
const NODE_LISTENER = [
  "const s = require('net').createServer();",
  's.listen(Number(process.argv[2]), process.argv[1], () => console.log(s.address().port));',
  "process.stdin.on('end', () => process.exit()).resume();",
].join(' ');

// A forked server: parent and child hold the same listening socket (one inode, two processes).
const FORKED_LISTENER = [
  'import os, socket, sys',
  "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
  'pid = os.fork()',
  'if pid: print(s.getsockname()[1], pid, flush=True)',
  'sys.stdin.read()',
].join('\n');

const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasIpv6Loopback =
  existsSync('/proc/net/if_inet6') &&
  readFileSync('/proc/net/if_inet6', 'latin1').includes('00000000000000000000000000000001');

const children: ChildProcess[] = [];
const strayPids: number[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
  const pids = [...children.splice(0).map((c) => c.pid), ...strayPids.splice(0)];
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const pid of pids)
    if (pid !== undefined) await until(() => isGone(pid), 10_000, `${pid} gone`);
});

function isGone(pid: number): boolean {
  const stat = procStat(pid);
  return stat === undefined || stat.state === 'Z';
}

/** Starts COMMAND and resolves with the first line it prints. */
async function start(command: string, args: string[]): Promise<{ pid: number; line: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${command} printed nothing: ${out}`)), 10_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve(out.slice(0, end));
    });
    child.once('error', reject);
  });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return { pid: child.pid, line };
}

async function startNodeListener(host: string, port = 0, ...extra: string[]) {
  const args = ['-e', NODE_LISTENER, host, String(port), ...extra];
  const { pid, line } = await start(process.execPath, args);
  return { pid, port: Number(line), command: [process.execPath, ...args].join(' ') };
}

async function listenHere(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function nonexistentPid(): number {
  return Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1')) + 1;
}

describe('parseListening', () => {
  it('keeps LISTEN rows of IPv4 and IPv6 tables and skips the rest', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 5151 1 0 100 0 0 10 0',
      '   3: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 6161 1',
      '   4: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 notanumber 1',
      '   5: 0100007F:0051 00000000:0000 0A',
      '   6: 0100007F:0000 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7171 1',
      '',
      'garbage',
    ].join('\n');
    expect(parseListening(table)).toEqual(
      new Map([
        [4242, 8080],
        [5151, 3000],
      ]),
    );
  });
});

describe('a listener in the test process', () => {
  it('is listed, listening and ours while open, and gone once closed', async () => {
    const { server, port } = await listenHere();
    expect([...listeningSockets().values()]).toContain(port);
    expect(isListening(port)).toBe(true);
    expect(portsOf([process.pid])).toContain(port);
    expect(portHolders(port)).toContainEqual(expect.objectContaining({ pid: process.pid }));

    await new Promise<void>((resolve) => server.close(() => resolve()));
    await until(() => !isListening(port), 5_000, `port ${port} to close`);
    expect([...listeningSockets().values()]).not.toContain(port);
    expect(portsOf([process.pid])).not.toContain(port);
    expect(portHolders(port)).toEqual([]);
  });
});

describe('a child process listening', () => {
  it('gives the child its port and not ours, and ours not its', async () => {
    const here = await listenHere();
    const child = await startNodeListener('127.0.0.1');
    expect(child.port).toBeGreaterThan(0);
    expect(portsOf([child.pid])).toEqual([child.port]);
    expect(portsOf([child.pid], listeningSockets())).toEqual([child.port]);
    expect(portsOf([child.pid], new Map())).toEqual([]);
    expect(portsOf([process.pid])).not.toContain(child.port);
    expect(portsOf([process.pid])).toContain(here.port);
    // Several pids, one repeated: a sorted union without duplicates.
    const both = portsOf([child.pid, process.pid, child.pid]);
    expect(both).toEqual([...new Set(both)].sort((a, b) => a - b));
    expect(both).toEqual(expect.arrayContaining([child.port, here.port]));
  });

  it('names the child as the holder, with its command cut to 200 characters', async () => {
    const child = await startNodeListener('127.0.0.1', 0, 'x'.repeat(300));
    expect(child.command.length).toBeGreaterThan(200);
    expect(portHolders(child.port)).toEqual([
      { pid: child.pid, command: child.command.slice(0, 200) },
    ]);
  });

  it('drops a port once its holder is killed', async () => {
    const child = await startNodeListener('127.0.0.1');
    expect(isListening(child.port)).toBe(true);
    process.kill(child.pid, 'SIGKILL');
    await until(() => !isListening(child.port), 5_000, `port ${child.port} to close`);
    expect(portsOf([child.pid])).toEqual([]);
    expect(portHolders(child.port)).toEqual([]);
  });

  it.skipIf(!hasIpv6Loopback)('sees an IPv6 listener on ::1, from /proc/net/tcp6', async () => {
    const child = await startNodeListener('::1');
    const tcp6 = parseListening(readFileSync('/proc/net/tcp6', 'latin1'));
    expect([...tcp6.values()]).toContain(child.port);
    expect(isListening(child.port)).toBe(true);
    expect(portsOf([child.pid])).toEqual([child.port]);
    expect(portHolders(child.port).map((h) => h.pid)).toEqual([child.pid]);
  });

  it.skipIf(!hasIpv6Loopback)(
    'names both holders of one port on 127.0.0.1 and on ::1 (two sockets)',
    async () => {
      const v4 = await startNodeListener('127.0.0.1');
      const v6 = await startNodeListener('::1', v4.port);
      expect(v6.port).toBe(v4.port);
      const holders = portHolders(v4.port).map((h) => h.pid);
      expect(holders.sort((a, b) => a - b)).toEqual([v4.pid, v6.pid].sort((a, b) => a - b));
      expect(portsOf([v6.pid])).toEqual([v4.port]);
    },
  );

  it.skipIf(!hasPython)('reports every process sharing a forked server socket', async () => {
    const { pid, line } = await start('python3', ['-c', FORKED_LISTENER]);
    const [port, forked] = line.split(' ').map(Number) as [number, number];
    strayPids.push(forked);
    const holders = portHolders(port);
    expect(holders.map((h) => h.pid).sort((a, b) => a - b)).toEqual(
      [pid, forked].sort((a, b) => a - b),
    );
    for (const holder of holders) expect(holder.command).toMatch(/python[\d.]* -c import os/);
    expect(portsOf([forked])).toEqual([port]);
    expect(portsOf([pid])).toEqual([port]);
  });
});

describe('nothing to find', () => {
  it('gives [] for a pid that does not exist, or is not a pid', async () => {
    await listenHere();
    expect(portsOf([nonexistentPid()])).toEqual([]);
    expect(portsOf([0, -1, Number.NaN, 1.5])).toEqual([]);
    expect(portsOf([])).toEqual([]);
  });

  it('gives nothing for a port out of range', () => {
    for (const port of [0, -1, 65536, 80.5, Number.NaN]) {
      expect(isListening(port)).toBe(false);
      expect(portHolders(port)).toEqual([]);
    }
  });
});
