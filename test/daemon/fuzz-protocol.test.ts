// Proves, with property-based lines written straight to a real daemon's socket: whatever a line
// holds — any method with random, boundary or hostile params and callers, cancels of unknown
// requests, random bytes, invalid UTF-8, JSON nested tens of thousands deep, odd ids, a line over
// the 16 MiB limit — the daemon answers every request with a usable id by that id (a result or
// an error) and the `ping` after each line within its bound, on the same connection, and is the
// same process at the end. No command runs: each caller that could start one carries an
// allowlist that refuses every command.
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { daemonStatus, startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { METHODS } from '../../src/daemon/protocol.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { hostileString, hostileValue } from '../helpers/schema-arbitrary.js';

const ANSWER_BOUND_MS = 30_000;
const MIB = 1024 * 1024;
// Never sent by the fuzz: shutdown ends the daemon, watch answers only once cancelled.
const FUZZED = METHODS.filter((method) => method !== 'shutdown' && method !== 'watch');

let h: TestHome;
let socket: Socket;
let daemonPid: number;
const waiting = new Map<number, (message: Record<string, unknown>) => void>();
let nextId = 1;

beforeAll(async () => {
  h = makeHome();
  daemonPid = (await startDaemon(h.config(), { env: h.env })).pid;
  socket = await new Promise<Socket>((done, fail) => {
    const opened = netConnect(join(h.home, 'daemon.sock'));
    opened.once('connect', () => done(opened));
    opened.once('error', fail);
  });
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      // Progress and events come before the one answer; only the answer settles a request.
      if ('result' in message || 'error' in message) waiting.get(message.id as number)?.(message);
    }
  });
}, 120_000);

afterAll(async () => {
  socket?.destroy();
  await stopDaemon(h.config());
  await h.cleanup();
}, 120_000);

function write(bytes: Buffer): Promise<void> {
  return new Promise((done, fail) => socket.write(bytes, (e) => (e ? fail(e) : done())));
}

function answerTo(id: number): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      fail(new Error(`no answer to request ${id} within ${ANSWER_BOUND_MS} ms`));
    }, ANSWER_BOUND_MS);
    waiting.set(id, (message) => {
      clearTimeout(timer);
      waiting.delete(id);
      done(message);
    });
  });
}

async function ping(): Promise<void> {
  const id = nextId++;
  const answer = answerTo(id);
  await write(Buffer.from(`${JSON.stringify({ id, method: 'ping', params: {} })}\n`));
  expect(await answer).toHaveProperty('result.pid', daemonPid);
}

/** A caller that can start nothing: its allowlist refuses every command. */
const safeCaller = { cwd: '/nonexistent', env: {}, allowedCommands: ['^(?!)'] };

/** Keeps params from reaching out or running anything: no model, no command but `true`. */
function tame(params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const out: Record<string, unknown> = { ...params };
  if ('model' in out) out.model = 'openai-compatible:m@http://127.0.0.1:9/v1';
  if ('command' in out) out.command = 'true';
  if ('file' in out || 'path' in out) out.file = out.path = '/nonexistent/bgjobs.toml';
  return out;
}

const plausibleParams = fc.record(
  {
    job_id: fc.oneof(hostileString, fc.string({ maxLength: 12 })),
    job_ids: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
    name: fc.oneof(hostileString, fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)),
    command: fc.string(),
    model: fc.string(),
    pattern: hostileString,
    timeout_s: fc.oneof(fc.integer({ min: -5, max: 3 }), fc.constantFrom(1e308, 0.5)),
    lines: fc.oneof(fc.integer(), fc.constant(1e308)),
    every: fc.constantFrom('1s', '0s', '-1s', 'x', '1e400h'),
    cron: fc.constantFrom('* * * * *', '', '99 99 * * *'),
    input: hostileString,
  },
  { requiredKeys: [] },
);

type Line = (id: number) => { bytes: Buffer; answered: boolean };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

const hostileLine: fc.Arbitrary<Line> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...FUZZED),
        fc.oneof(plausibleParams, hostileValue, fc.constant(undefined)),
        fc.oneof(fc.constant(safeCaller), hostileValue),
      )
      .map(([method, params, caller]): Line => (id) => ({
        // A caller that could start a job is always the safe one.
        bytes: json({
          id,
          method,
          params: tame(params),
          caller:
            typeof caller === 'object' && caller !== null && !Array.isArray(caller)
              ? safeCaller
              : caller,
        }),
        answered: true,
      })),
  },
  fc
    .integer()
    .map((other): Line => () => ({ bytes: json({ id: other, cancel: true }), answered: false })),
  fc.uint8Array({ maxLength: 200 }).map((raw): Line => () => ({
    bytes: Buffer.from(raw.map((b) => (b === 0x0a ? 0x20 : b))),
    answered: false,
  })),
  fc.integer({ min: 1000, max: 50_000 }).map((depth): Line => (id) => ({
    bytes: Buffer.from(
      `{"id":${id},"method":"status","params":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    ),
    answered: true,
  })),
  fc
    .constantFrom([0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff, 0xfe])
    .map((bad): Line => (id) => ({
      bytes: Buffer.concat([
        Buffer.from(`{"id":${id},"method":"status","params":{"job_id":"`),
        Buffer.from(bad),
        Buffer.from('"}}'),
      ]),
      answered: true,
    })),
  fc
    .constantFrom('1e400', '-0', '1.5', '9007199254740993', '"7"', 'null')
    .map((odd): Line => () => ({
      bytes: Buffer.from(`{"id":${odd},"method":"ping"}`),
      answered: false,
    })),
);

it('answers every request by its id, and the ping after each line', async () => {
  await fc.assert(
    fc.asyncProperty(hostileLine, async (make) => {
      const id = nextId++;
      const { bytes, answered } = make(id);
      const answer = answered ? answerTo(id) : undefined;
      await write(Buffer.concat([bytes, Buffer.from('\n')]));
      if (answer !== undefined) expect(await answer).toHaveProperty('id', id);
      await ping();
    }),
    { numRuns: Number(process.env.BGJOBS_FUZZ_RUNS ?? 800) },
  );
  expect((await daemonStatus(h.config())).pid).toBe(daemonPid);
}, 600_000);

it('answers a watch once cancelled, and a line over 16 MiB by its id', async () => {
  const watchId = nextId++;
  const watched = answerTo(watchId);
  await write(Buffer.from(`${JSON.stringify({ id: watchId, method: 'watch', params: {} })}\n`));
  await ping();
  await write(Buffer.from(`${JSON.stringify({ id: watchId, cancel: true })}\n`));
  expect(await watched).toHaveProperty('result');

  const id = nextId++;
  const refused = answerTo(id);
  const huge = 'x'.repeat(16 * MIB + 1);
  await write(Buffer.from(`{"id":${id},"method":"execute","params":{"command":"${huge}"}}\n`));
  expect(await refused).toMatchObject({ id, error: { code: 'invalid_input' } });
  expect(((await refused).error as { message: string }).message).toContain('16777216 bytes');
  await ping();
}, 300_000);
