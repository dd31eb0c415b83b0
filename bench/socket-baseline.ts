// A baseline of the execute breakdown: what one request and its answer cost between two Node
// processes over a Unix socket, with nothing of bgjobs in between.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { startScript } from './script-server.js';

const WARMUP = 5;
const CALLS = 60;
// An execute request carries its caller's environment: about this size, as is its answer.
const REQUEST = `${'x'.repeat(1800)}\n`;
const ANSWER_BYTES = 140;
// Answers each line with ANSWER_BYTES bytes; says "ready" once it listens.
const SERVER = `
const net = require('node:net');
const answer = 'y'.repeat(${ANSWER_BYTES - 1}) + '\\n';
net.createServer((socket) => {
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf('\\n')) !== -1) { pending = pending.slice(end + 1); socket.write(answer); }
  });
}).listen(process.argv[1], () => process.stdout.write('ready\\n'));
`;

/**
 * Round trips of a bare Node client to a bare Node server (its own process) over a Unix
 * socket, GAP_MS apart as the execute bench's calls are: the least the daemon's socket hop costs.
 */
export async function bareSocketRoundTrips(gapMs: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bgjobs-bench-socket-'));
  const path = join(dir, 'echo.sock');
  try {
    const { child: server } = await startScript(SERVER, path, 'the echo server');
    try {
      return await timeRoundTrips(path, gapMs);
    } finally {
      server.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** WARMUP, then CALLS timed request-and-answer round trips to the echo server at PATH. */
async function timeRoundTrips(path: string, gapMs: number): Promise<number[]> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < WARMUP + CALLS; i++) {
      await delay(gapMs);
      const began = performance.now();
      await new Promise<void>((resolve) => {
        let got = 0;
        const onData = (chunk: Buffer): void => {
          got += chunk.length;
          if (got < ANSWER_BYTES) return;
          socket.off('data', onData);
          resolve();
        };
        socket.on('data', onData);
        socket.write(REQUEST);
      });
      if (i >= WARMUP) times.push(performance.now() - began);
    }
  } finally {
    socket.destroy();
  }
  return times;
}
