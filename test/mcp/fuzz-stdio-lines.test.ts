// Proves, with property-based bytes written straight to `bgjobs mcp` (the built CLI, a real
// daemon): whatever a line holds — random bytes, NUL, invalid UTF-8 inside a JSON string, JSON
// nested tens of thousands deep, huge or odd ids and numbers, lines up to 16 MiB — the server
// answers every well-formed request among them by its id, drops the rest, and answers the `ping`
// sent after each line within its bound: it never crashes, wedges or closes the connection.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { makeHome, type TestHome } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const ANSWER_BOUND_MS = 30_000;
const MIB = 1024 * 1024;

let h: TestHome;
let server: ChildProcessWithoutNullStreams;
const waiting = new Map<number | string, (message: Record<string, unknown>) => void>();
let nextId = 1;

beforeAll(async () => {
  h = makeHome();
  await startDaemon(h.config(), { env: h.env });
  server = spawn(process.execPath, [CLI, 'mcp'], {
    env: { ...h.env, BGJOBS_ALLOWED_COMMANDS: '^(?!)' },
    cwd: h.home,
  });
  server.stderr.resume();
  let buffered = '';
  server.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      const id = message.id as number | string | undefined;
      if (id !== undefined) waiting.get(id)?.(message);
    }
  });
  await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'bgjobs-fuzz', version: '0' },
  });
  await write(Buffer.from('{"jsonrpc":"2.0","method":"notifications/initialized"}\n'));
}, 120_000);

afterAll(async () => {
  server?.stdin.end();
  await stopDaemon(h.config());
  await h.cleanup();
}, 120_000);

function write(bytes: Buffer): Promise<void> {
  return new Promise((done, fail) => server.stdin.write(bytes, (e) => (e ? fail(e) : done())));
}

/** Resolves with the answer to `id`; rejects if none comes within the bound. */
function answerTo(id: number | string): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      fail(new Error(`no answer to request ${JSON.stringify(id)} within ${ANSWER_BOUND_MS} ms`));
    }, ANSWER_BOUND_MS);
    waiting.set(id, (message) => {
      clearTimeout(timer);
      waiting.delete(id);
      done(message);
    });
  });
}

async function request(method: string, params: unknown): Promise<Record<string, unknown>> {
  const id = nextId++;
  const answer = answerTo(id);
  await write(Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`));
  return answer;
}

/** A tools/call whose arguments hold `inner` verbatim (any bytes), with `id`. */
function callWith(id: number, tool: string, inner: Buffer): Buffer {
  const head = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${tool}","arguments":{"job_id":`;
  return Buffer.concat([Buffer.from(head), inner, Buffer.from('}}}\n')]);
}

const noNewline = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.map((byte) => (byte === 0x0a ? 0x20 : byte)));

const deep = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A hostile line, and whether it is a well-formed request that must be answered by its id. */
const hostileLine: fc.Arbitrary<(id: number) => { bytes: Buffer; answered: boolean }> = fc.oneof(
  fc
    .uint8Array({ maxLength: 200 })
    .map((raw) => () => ({ bytes: noNewline(raw), answered: false })),
  fc
    .constantFrom('\0', '\0\0{"jsonrpc":"2.0"}', '{', '}', '[]', 'null', '""', '{"id":1e400}')
    .map((text) => () => ({ bytes: Buffer.from(text), answered: false })),
  // Invalid UTF-8 (a lone continuation byte, an overlong NUL, a cut sequence, a surrogate); a raw
  // NUL in a JSON string would make the line no JSON at all, which the bytes above cover.
  fc
    .array(fc.constantFrom([0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xff]), {
      minLength: 1,
      maxLength: 8,
    })
    .map((parts) => (id: number) => ({
      bytes: callWith(id, 'status', Buffer.from([0x22, ...parts.flat(), 0x22])),
      answered: true,
    })),
  fc.integer({ min: 1000, max: 50_000 }).map((depth) => (id: number) => ({
    bytes: callWith(id, 'status', Buffer.from(deep(depth))),
    answered: true,
  })),
  fc.integer({ min: 1000, max: 50_000 }).map((depth) => () => ({
    bytes: Buffer.from(deep(depth)),
    answered: false,
  })),
  fc
    .constantFrom('1e400', '-0', '9007199254740993', '123456789012345678901234567890', 'true')
    .map((value) => (id: number) => ({
      bytes: callWith(id, 'output', Buffer.from(`"x","stdout_offset":${value}`)),
      answered: true,
    })),
);

it('answers well-formed requests among hostile lines, and every ping after each', async () => {
  await fc.assert(
    fc.asyncProperty(hostileLine, async (make) => {
      const id = nextId++;
      const { bytes, answered } = make(id);
      const answer = answered ? answerTo(id) : undefined;
      await write(
        Buffer.concat([bytes.subarray(0, bytes.length - (answered ? 1 : 0)), Buffer.from('\n')]),
      );
      if (answer !== undefined) expect(await answer).toHaveProperty('id', id);
      expect(await request('ping', {})).toHaveProperty('result');
    }),
    { numRuns: Number(process.env.BGJOBS_FUZZ_RUNS ?? 400) },
  );
}, 600_000);

it('drops lines up to 16 MiB of random bytes, answering those it can by id', async () => {
  for (const size of [10 * MIB + 1, 16 * MIB]) {
    const junk = Buffer.alloc(size, 0xff);
    await write(Buffer.concat([junk, Buffer.from('\n')]));
    expect(await request('ping', {})).toHaveProperty('result');
    const id = nextId++;
    const answer = answerTo(id);
    await write(callWith(id, 'status', Buffer.concat([Buffer.from('"'), junk, Buffer.from('"')])));
    expect(await answer).toMatchObject({ id, error: { code: -32600 } });
  }
  expect(await request('tools/list', {})).toHaveProperty('result');
}, 300_000);
