// Faults: how soon bgjobs answers what used to wedge or mislead it — a message of several MB over
// MCP stdio, its socket file deleted under a running daemon, a database another program locks.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

import { connect } from '../src/daemon/client.js';
import { stopDaemon } from '../src/daemon/lifecycle.js';
import type { BenchHome } from './home.js';
import { mcpClient } from './mcp-client.js';
import type { Figure } from './report.js';
import { describeSummary, summarize } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROUNDS = 5;
const MIB = 1024 * 1024;

/** Over MCP stdio: a 7 MiB command refused for its size, an 11 MiB message answered. */
export async function measureOversized(bench: BenchHome): Promise<Figure[]> {
  const { client, transport } = mcpClient(bench);
  await client.connect(transport);
  try {
    const refused: number[] = [];
    const dropped: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let began = performance.now();
      await client.callTool({ name: 'execute', arguments: { command: 'x'.repeat(7 * MIB) } });
      refused.push(performance.now() - began);
      began = performance.now();
      await client
        .callTool({ name: 'execute', arguments: { command: 'x'.repeat(11 * MIB) } })
        .catch(() => undefined);
      dropped.push(performance.now() - began);
    }
    const a = summarize(refused);
    const b = summarize(dropped);
    return [
      {
        id: 'mcp_7mib_command_refused_ms',
        label: '7 MiB command refused (64 KiB limit), MCP round trip',
        value: a.p50,
        unit: 'ms',
        details: describeSummary(a),
        target: { kind: 'max', limit: 1000, on: 'value' },
      },
      {
        id: 'mcp_11mib_message_answered_ms',
        label: '11 MiB message answered with a JSON-RPC error',
        value: b.p50,
        unit: 'ms',
        details: describeSummary(b),
        target: { kind: 'max', limit: 1000, on: 'value' },
      },
    ];
  } finally {
    await client.close();
  }
}

/** Deleting the socket of a running daemon, then a `status` over a fresh client. */
export async function measureSocketRecovery(bench: BenchHome): Promise<Figure[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const api = await connect(bench.config, { autoStart: true });
    api.close();
    rmSync(join(bench.home, 'daemon.sock'));
    const began = performance.now();
    const again = await connect(bench.config, { autoStart: true });
    await again.list({});
    times.push(performance.now() - began);
    again.close();
  }
  const s = summarize(times);
  return [
    {
      id: 'socket_deleted_recovery_ms',
      label: 'socket deleted → next call answered',
      value: s.p50,
      unit: 'ms',
      details: describeSummary(s),
      target: { kind: 'max', limit: 1000, on: 'value' },
    },
  ];
}

/** `bgjobs ls` against a database another program holds locked: until it exits, saying why. */
export async function measureLockedReport(bench: BenchHome): Promise<Figure[]> {
  await stopDaemon(bench.config);
  const db = new Database(join(bench.home, 'bgjobs.db'));
  db.exec('BEGIN EXCLUSIVE');
  const times: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const began = performance.now();
      await new Promise<void>((done) =>
        execFile(process.execPath, [CLI, 'ls'], { env: bench.env }, () => done()),
      );
      times.push(performance.now() - began);
    }
  } finally {
    db.exec('ROLLBACK');
    db.close();
  }
  const s = summarize(times);
  return [
    {
      id: 'locked_db_cli_error_ms',
      label: 'locked database → `bgjobs ls` exits naming the holder (CLI start included)',
      value: s.p50,
      unit: 'ms',
      details: describeSummary(s),
      target: { kind: 'max', limit: 1000, on: 'value' },
    },
  ];
}
