// Agent economy: the goals agents bring to bgjobs, played through a real MCP client over stdio
// the way an agent would, counting what the agent pays — tool calls (each a model turn) and the
// bytes of tool results in its context, text and structured apart — and checking each answer.
import { cleanupHome, makeHome, startAndConnect } from './home.js';
import { mcpClient } from './mcp-client.js';
import { freePort, pythonExecutable } from './readiness.js';
import type { Figure } from './report.js';

/**
 * What one goal cost on the main of 2026-12-04 (issue 14): calls and bytes of text. Goals added
 * since have none.
 */
const BASELINE: Partial<Record<string, { calls: number; text: number }>> = {
  tests: { calls: 4, text: 629 },
  dev_server: { calls: 3, text: 288 },
  repl: { calls: 3, text: 351 },
  big_output: { calls: 4, text: 754 },
  five_jobs: { calls: 7, text: 812 },
  after_restart: { calls: 2, text: 714 },
};
/** The targets: calls per goal (the REPL and "any, then all": 3) and text bytes per goal. */
const MAX_CALLS: Record<string, number> = { repl: 3, five_jobs: 3 };
const MAX_TEXT_BYTES = 600;

type Call = (name: string, args: Record<string, unknown>) => Promise<Answer>;
interface Answer {
  text: string;
  data: Record<string, unknown>;
}
interface Scenario {
  id: string;
  label: string;
  /** Plays the goal with `call`; throws when the answer it got is not the right one. */
  play: (call: Call, restart: () => Promise<Call>) => Promise<void>;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench scenario: ${what}`);
}

const SUITE = [
  'i=0; while [ $i -lt 2000 ]; do i=$((i+1))',
  'case $i in 417|1203|1888) echo "FAIL test_$i: expected 200, got 500";; *) echo "ok $i test_$i";; esac',
  'done; echo "2000 tests, 3 failed"; exit 1',
].join('; ');

const SCENARIOS: Scenario[] = [
  {
    id: 'tests',
    label: 'run the tests, which failed (2,000 lines, 3 FAIL, exit 1)',
    play: async (call) => {
      const { text } = await call('execute', { command: SUITE, wait_s: 50, search: 'FAIL' });
      check(/exited with code 1/.test(text), 'the exit code is not said');
      for (const n of [417, 1203, 1888])
        check(text.includes(`FAIL test_${n}`), `FAIL ${n} missing`);
    },
  },
  {
    id: 'dev_server',
    label: 'start a dev server, tell me when it is up; later stop it, port freed',
    play: async (call) => {
      const port = await freePort();
      const { data } = await call('execute', {
        command: `exec '${pythonExecutable()}' -m http.server ${port} --bind 127.0.0.1`,
        ready: { port },
        wait_s: 30,
        wait_until: 'ready',
      });
      const wait = data.wait as { jobs: { ready: boolean }[] };
      check(wait.jobs[0]?.ready === true, 'the server is not said to be ready');
      const killed = await call('kill', { job_id: data.job_id });
      check((killed.data.freed_ports as number[]).includes(port), 'the port is not said freed');
    },
  },
  {
    id: 'repl',
    label: 'python REPL: compute, read the answer, exit',
    play: async (call) => {
      const { data } = await call('execute', {
        command: `exec '${pythonExecutable()}' -i -q`,
        wait_s: 10,
        wait_until: 'input',
      });
      const job_id = data.job_id as string;
      const answer = await call('interact', { job_id, input: '6*7' });
      check(answer.data.stdout === '42\n', `the answer is ${JSON.stringify(answer.data.stdout)}`);
      const end = await call('interact', { job_id, input: 'exit()' });
      check(end.data.status === 'completed', `python ended ${String(end.data.status)}`);
    },
  },
  {
    id: 'big_output',
    label: '50 MB of output: the end and one pattern',
    play: async (call) => {
      const script = [
        'import sys',
        'line = "x" * 99 + "\\n"',
        'for i in range(500000):',
        '    sys.stdout.write("NEEDLE found at %d\\n" % i if i == 470000 else line)',
        'print("END OF RUN")',
      ].join('\n');
      const { text } = await call('execute', {
        command: `'${pythonExecutable()}' -c '${script}'`,
        wait_s: 50,
        tail_lines: 2,
        search: 'NEEDLE',
      });
      check(text.includes('END OF RUN'), 'the end is not shown');
      check(text.includes('NEEDLE found at 470000'), 'the pattern is not found');
    },
  },
  {
    id: 'five_jobs',
    label: 'five jobs: wait for any, then all',
    play: async (call) => {
      const jobs = [3, 1, 4, 2, 5].map((n) => ({ command: `sleep 0.${n * 2}; echo shard ${n}` }));
      const { data } = await call('execute', { jobs });
      const job_ids = (data.jobs as { job_id: string }[]).map((job) => job.job_id);
      const any = await call('wait', { job_ids, mode: 'any', tail_lines: 1 });
      check(any.text.includes('shard 1'), 'the first to end is not shard 1');
      const all = await call('wait', { job_ids, tail_lines: 1 });
      for (const n of [1, 2, 3, 4, 5]) check(all.text.includes(`shard ${n}`), `shard ${n} missing`);
      check((all.text.match(/completed/g) ?? []).length === 5, 'not all five completed');
    },
  },
  {
    id: 'question',
    label: 'an installer stops on a question: notice it, answer, see it finish',
    play: async (call) => {
      const { text, data } = await call('execute', {
        command:
          'echo "3 packages to install"; printf "Continue? [y/N] "; read a; echo "answered $a, installed"',
        wait_s: 10,
        wait_until: 'input',
      });
      check(text.includes('Continue? [y/N]'), 'the question is not shown');
      const answer = await call('interact', { job_id: data.job_id, input: 'y' });
      check(answer.text.includes('answered y, installed'), 'the answer is not shown');
      check(answer.data.status === 'completed', `the install ended ${String(answer.data.status)}`);
    },
  },
  {
    id: 'after_restart',
    label: 'after the MCP server restarted: find my jobs and their outcome',
    play: async (call, restart) => {
      const made: string[] = [];
      for (const [i, command] of ['true', 'exit 3', 'sleep 300'].entries()) {
        const { data } = await call('execute', { command, name: `job-${i}`, wait_s: 5 });
        made.push(String(data.job_id));
      }
      const fresh = await restart();
      const { text } = await fresh('list', {});
      for (const id of made) check(text.includes(id), `job ${id} is not listed`);
      check(/exit(ed with)? (code )?3/.test(text), 'the exit code 3 is not said');
      check(/running/.test(text), 'the running job is not said running');
    },
  },
];

/** Plays each scenario in a fresh home and reports its calls, bytes and wall time. */
export async function measureScenarios(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const scenario of SCENARIOS) {
    const bench = makeHome(`goal-${scenario.id}`);
    const { client: daemon } = await startAndConnect(bench);
    const spent = { calls: 0, text: 0, structured: 0 };
    const connect = async (): Promise<{ call: Call; close: () => Promise<void> }> => {
      const { client, transport } = mcpClient(bench);
      await client.connect(transport);
      const call: Call = async (name, args) => {
        const result = await client.callTool({ name, arguments: args });
        const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
        if (result.isError) throw new Error(`bench scenario: ${name} failed: ${text}`);
        // BGJOBS_BENCH_SHOW=1 prints what the agent reads, to see where its bytes go.
        if (process.env.BGJOBS_BENCH_SHOW) console.error(`── ${name}\n${text}`);
        spent.calls += 1;
        spent.text += Buffer.byteLength(text);
        spent.structured += Buffer.byteLength(JSON.stringify(result.structuredContent ?? {}));
        return { text, data: (result.structuredContent ?? {}) as Record<string, unknown> };
      };
      return { call, close: () => client.close() };
    };
    let session = await connect();
    const began = performance.now();
    try {
      await scenario.play(session.call, async () => {
        await session.close();
        // The goal starts with the new session: what came before it was the setting up.
        Object.assign(spent, { calls: 0, text: 0, structured: 0 });
        session = await connect();
        return session.call;
      });
    } finally {
      await session.close();
      await cleanupHome(bench, daemon);
    }
    const wallMs = performance.now() - began;
    const base = BASELINE[scenario.id];
    const baseline = (value: number | undefined) =>
      value === undefined ? undefined : { label: 'main before issue 14', value };
    const id = `goal_${scenario.id}`;
    figures.push(
      {
        id: `${id}_calls`,
        label: `${scenario.label}: calls`,
        value: spent.calls,
        unit: 'calls',
        baseline: baseline(base?.calls),
        target: { kind: 'max', limit: MAX_CALLS[scenario.id] ?? 2, on: 'value' },
      },
      {
        id: `${id}_text_bytes`,
        label: `${scenario.label}: text`,
        value: spent.text,
        unit: 'B',
        baseline: baseline(base?.text),
        target: { kind: 'max', limit: MAX_TEXT_BYTES, on: 'value' },
        details: `structured ${spent.structured} B, in all ${spent.text + spent.structured} B, wall ${Math.round(wallMs)} ms`,
      },
    );
  }
  return figures;
}
