// Proves, with property-based inputs over a real MCP client on stdio, the built CLI and a real
// daemon: every tool, given arguments shaped by its published input schema (boundaries
// included), the same with a field made hostile (wrong types, NUL, lone surrogates, huge
// numbers, deep JSON, strings up to 1 MiB), or regexes that backtrack for `search`, answers each
// call — a result, an isError result or a JSON-RPC error — within its bound, never a timeout or a
// closed connection; messages up to 16 MiB are refused cleanly; and afterwards the same server
// and the same daemon still serve. No random command runs: an allowlist refuses every one.
import { ProtocolError } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { connect, type DaemonClient } from '../../src/daemon/client.js';
import { daemonStatus, startDaemon, stopDaemon } from '../../src/daemon/lifecycle.js';
import { listOutputSchema } from '../../src/api/listing.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { openStdioMcp, type StdioMcp } from '../helpers/mcp-stdio.js';
import { toolArguments } from '../helpers/schema-arbitrary.js';
import { textOf } from './harness.js';

// Each call must answer within this (a wait may block up to its timeout_s, at most 50 s).
const CALL_BOUND_MS = 60_000;
// A search with a pattern V8 cannot bound runs under this budget (BGJOBS_SEARCH_BUDGET_MS)...
const SEARCH_BUDGET_MS = 2000;
// ...and must answer within this: the budget, with room for a loaded machine.
const SEARCH_BOUND_MS = 20_000;
const RUNS_PER_TOOL = Number(process.env.BGJOBS_FUZZ_RUNS ?? 200);
// A regex nothing matches: every command is refused before anything runs.
const REFUSE_ALL = '^(?!)';

let h: TestHome;
let mcp: StdioMcp;
let api: DaemonClient;
let daemonPid: number;
const known: string[] = [];
const outcomes = { result: 0, isError: 0, protocolError: 0, clientError: 0 };

beforeAll(async () => {
  h = makeHome({ BGJOBS_SEARCH_BUDGET_MS: String(SEARCH_BUDGET_MS) });
  await startDaemon(h.config(), { env: h.env });
  daemonPid = (await daemonStatus(h.config())).pid!;
  // A few real jobs, started without the allowlist, for the reads to find: one with output to
  // search (long runs of "a" for backtracking regexes), one that failed, one that is named.
  api = await connect(h.config());
  const caller = { cwd: h.home, env: h.env };
  for (const command of [
    `printf '%s!\\n' "$(head -c 5000 /dev/zero | tr '\\0' a)"; seq 2000`,
    'echo oops >&2; exit 3',
  ]) {
    const job = await api.execute({ command }, { caller });
    known.push(job.job_id);
  }
  known.push((await api.execute({ command: 'true', name: 'named' }, { caller })).job_id, 'named');
  await api.wait({ job_ids: known.slice(0, 3), timeout_s: 30 });
  // No provider key reaches a prompt: the fuzz must not call a real model.
  const env = Object.fromEntries(
    Object.keys(h.env)
      .filter((k) => /_API_KEY$/.test(k))
      .map((k) => [k, '']),
  );
  mcp = await openStdioMcp(h, { ...env, BGJOBS_ALLOWED_COMMANDS: REFUSE_ALL });
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  api?.close();
  await stopDaemon(h.config());
  await h.cleanup();
}, 120_000);

/** Keeps a generated call from doing what a fuzz must not: reach out, or run a real command. */
function tame(tool: string, args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  const out: Record<string, unknown> = { ...args };
  // Reads and waits sometimes name real jobs, so their paging and options are exercised.
  if (typeof out.job_id === 'string' && out.job_id.length % 3 === 0 && tool !== 'remove') {
    out.job_id = known[out.job_id.length % known.length];
  }
  if (typeof out.model === 'string') out.model = 'openai-compatible:m@http://127.0.0.1:9/v1';
  if (typeof out.command === 'string' && tool !== 'execute') out.command = 'true';
  if (typeof out.cwd === 'string' && tool !== 'execute') out.cwd = h.home;
  return out;
}

/** A call answered: a result, or an error the server sent. Throws on a timeout or a lost server. */
async function answered(tool: string, args: unknown, bound = CALL_BOUND_MS): Promise<void> {
  try {
    const result = await mcp.client.callTool(
      { name: tool, arguments: args as Record<string, unknown> },
      { timeout: bound },
    );
    outcomes[result.isError === true ? 'isError' : 'result'] += 1;
  } catch (error) {
    const message = String(error);
    if (/timed out|closed|not connected/i.test(message)) throw error;
    outcomes[error instanceof ProtocolError ? 'protocolError' : 'clientError'] += 1;
  }
}

it('answers every tool call with fuzzed arguments, and goes on serving', async () => {
  const { tools } = await mcp.client.listTools();
  expect(tools.length).toBeGreaterThan(10);
  for (const tool of tools) {
    await fc.assert(
      fc.asyncProperty(toolArguments(tool.inputSchema), (args) =>
        answered(tool.name, tame(tool.name, args)),
      ),
      { numRuns: RUNS_PER_TOOL },
    );
  }
  const listed = await mcp.call('list', { all: true });
  expect(listed.isError, textOf(listed)).toBeFalsy();
  expect(listOutputSchema.parse(listed.structuredContent).jobs.length).toBeGreaterThan(0);
  expect((await daemonStatus(h.config())).pid).toBe(daemonPid);
  // The inputs reach every kind of answer, not only refusals made before anything is read.
  expect(outcomes.result).toBeGreaterThan(0);
  expect(outcomes.isError).toBeGreaterThan(0);
  expect(outcomes.protocolError).toBeGreaterThan(0);
}, 600_000);

it('answers search with regexes that backtrack, at once', async () => {
  // Without ignore_case, and with it once the pattern is rewritten to spell out case (no `i`
  // flag), V8 switches these to its linear engine; nested repetition with lookaround or a
  // backreference (which that engine cannot run) is refused.
  const evil = fc.tuple(
    fc.constantFrom(
      '(a+)+$',
      '(a*)*b',
      '(\\w+\\s?)+$',
      '((a+)+)+!x',
      '(?=(a+))*b',
      '\\1(a)',
      '[',
      '(a|aa)+b',
      '^(a|a?)+$',
      '(.*a){12}',
      '(?<x>a)\\k<y>',
    ),
    fc.boolean(),
  );
  await fc.assert(
    fc.asyncProperty(evil, fc.integer({ min: 0, max: 20 }), ([pattern, ic], context) =>
      answered('search', { job_id: known[0], pattern, ignore_case: ic, context }),
    ),
    { numRuns: 60 },
  );
  const found = await mcp.call('search', { job_id: known[0], pattern: '^1999$' });
  expect(found.isError, textOf(found)).toBeFalsy();
}, 300_000);

// Regexes built from ambiguous pieces: overlapping alternatives, repeats inside repeats, large
// counts, lookaround and backreferences, runs of repeats in a row.
const piece = fc.constantFrom(
  'a',
  'aa',
  'a?',
  'a*',
  'a+',
  '\\w',
  '.',
  '[ab]',
  '\\1',
  '(?=a)',
  '(?!b)',
);
const quantifier = fc.constantFrom(
  '',
  '?',
  '*',
  '+',
  '{0,30}',
  '{2,40}',
  '{1,16}',
  '{17}',
  '{25,}',
);
const group = fc
  .tuple(
    fc.constantFrom('(', '(?:', '(?=', '(?<!x)('),
    fc.array(fc.array(piece, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    quantifier,
  )
  .map(([open, alternatives, repeat]) => {
    const body = alternatives.map((alternative) => alternative.join('')).join('|');
    return open === '(?<!x)(' ? `(?<!x)(${body})${repeat}` : `${open}${body})${repeat}`;
  });
const ambiguousPattern = fc
  .tuple(
    fc.constantFrom('', '^', '(?=a)', '(a)'),
    fc.array(
      fc.oneof(
        group,
        fc.tuple(piece, quantifier).map(([p, q]) => `${p}${q}`),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    fc.constantFrom('', 'b', '$', '!x', '(?=b)'),
  )
  .map(([head, middle, tail]) => `${head}${middle.join('')}${tail}`);

it('answers search with generated ambiguous regexes within its bound', async () => {
  const seen = { refused: 0, tooSlow: 0, searched: 0 };
  await fc.assert(
    fc.asyncProperty(ambiguousPattern, fc.boolean(), async (pattern, ic) => {
      const result = await mcp.client.callTool(
        { name: 'search', arguments: { job_id: known[0], pattern, ignore_case: ic, context: 0 } },
        { timeout: SEARCH_BOUND_MS },
      );
      const text = textOf(result);
      if (result.isError !== true) seen.searched++;
      else if (/too slow/.test(text)) seen.tooSlow++;
      else if (/exponential time|Invalid regular expression/.test(text)) seen.refused++;
      else throw new Error(`search ${pattern} failed otherwise: ${text}`);
    }),
    { numRuns: Math.max(20, Math.round(RUNS_PER_TOOL / 2)) },
  );
  // The pieces reach every answer: a search, a refusal by name, and the budget.
  expect(seen.searched).toBeGreaterThan(0);
  expect(seen.refused).toBeGreaterThan(0);
  const found = await mcp.call('search', { job_id: known[0], pattern: '^1999$' });
  expect(found.isError, textOf(found)).toBeFalsy();
  expect((await daemonStatus(h.config())).pid).toBe(daemonPid);
}, 600_000);

it('refuses messages up to 16 MiB cleanly, and serves on', async () => {
  const mib = 1024 * 1024;
  for (const size of [9, 10, 12, 16]) {
    await answered('execute', { command: 'x'.repeat(size * mib) });
    await answered('interact', { job_id: known[0], input: 'z'.repeat(size * mib) });
  }
  // NUL is sent escaped (six bytes each): 2 MiB of them make a 12 MiB message.
  await answered('interact', { job_id: known[0], input: '\0'.repeat(2 * mib) });
  const status = await mcp.call('status', { job_id: 'named' });
  expect(status.isError, textOf(status)).toBeFalsy();
  expect((await daemonStatus(h.config())).pid).toBe(daemonPid);
}, 300_000);
