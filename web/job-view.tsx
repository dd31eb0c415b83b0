// The job view an MCP Apps host shows inline in the chat, under an `execute`, `status` or `wait`
// result: the job's status and facts, its output live, and a kill button — the dashboard's job
// page, reading through the host. It runs in a sandboxed frame with no network of its own, so
// everything comes from the bgjobs MCP server's tools (`status`, `output`, `kill`), called
// through the host's bridge (postMessage JSON-RPC). The host sends no event when output grows,
// so a running job's output is read again each second (and at once while more is waiting).
import { App } from '@modelcontextprotocol/ext-apps';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import './style.css';

import type { StatusResult } from '../src/api/listing.js';
import type { OutputResult } from '../src/api/read.js';
import type { OutputChunk } from '../src/http/rows.js';
import { JobFacts } from './job-facts.js';
import { useNow } from './now.js';
import { OutputView, type OutputSink } from './output-view.js';
import { readRound, startPosition, type ReadOutput } from './tool-reader.js';

const IDLE_MS = 1000;
const BUSY_MS = 100;

type CallToolResult = Awaited<ReturnType<App['callServerTool']>>;

const app = new App({ name: 'bgjobs job view', version: '1' }, {}, { autoResize: true });

async function callTool(name: string, args: Record<string, unknown>): Promise<unknown> {
  const result = await app.callServerTool({ name, arguments: args });
  if (result.isError === true) throw new Error(textOf(result));
  return result.structuredContent;
}

function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}

const live = (status: string): boolean => status === 'running' || status === 'queued';
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function JobView({ id }: { id: string }) {
  const [job, setJob] = useState<StatusResult | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const sink = useRef<OutputSink | undefined>(undefined);
  const early = useRef<OutputChunk[]>([]);
  const now = useNow(1000);

  useEffect(() => {
    let stopped = false;
    const deliver = (chunk: OutputChunk) => {
      if (sink.current === undefined) early.current.push(chunk);
      else sink.current(chunk);
    };
    const follow = async () => {
      let status = (await callTool('status', { job_id: id })) as StatusResult;
      setJob(status);
      const position = startPosition(status);
      const read: ReadOutput = async (from, maxBytes) =>
        (await callTool('output', {
          job_id: status.job_id,
          stream: 'both',
          stdout_offset: from.stdout,
          stderr_offset: from.stderr,
          max_bytes: maxBytes,
          raw: true,
        })) as OutputResult;
      while (!stopped) {
        const round = await readRound(read, position, deliver);
        if (round.status !== status.status) {
          status = (await callTool('status', { job_id: status.job_id })) as StatusResult;
          setJob(status);
        }
        if (!round.more && !live(round.status)) return;
        await delay(round.more ? BUSY_MS : IDLE_MS);
      }
    };
    follow().catch((error: unknown) => setProblem(messageOf(error)));
    return () => {
      stopped = true;
    };
  }, [id]);

  const attach = (next: OutputSink) => {
    sink.current = next;
    for (const chunk of early.current.splice(0)) next(chunk);
  };
  const kill = () => {
    callTool('kill', { job_id: job?.job_id ?? id }).catch((error: unknown) =>
      setProblem(messageOf(error)),
    );
  };

  if (job === undefined) {
    return (
      <main>
        {problem === undefined ? <p class="empty">Loading…</p> : <p class="problem">{problem}</p>}
      </main>
    );
  }
  return (
    <main>
      <header>
        <h1>{job.name ?? job.job_id}</h1>
        <span class={`status ${job.status}`} data-testid="status">
          {job.status}
        </span>
        <span class="actions">
          {live(job.status) && (
            <button type="button" onClick={kill}>
              Kill
            </button>
          )}
        </span>
      </header>
      {problem !== undefined && <p class="problem">{problem}</p>}
      <JobFacts job={job} now={now} />
      <OutputView attach={attach} />
    </main>
  );
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The job a tool's result is about: `job_id`, or the first of its `jobs`. */
function jobOf(content: unknown): string | undefined {
  const result = content as { job_id?: unknown; jobs?: { job_id?: unknown }[] } | undefined;
  const id = result?.job_id ?? result?.jobs?.[0]?.job_id;
  return typeof id === 'string' ? id : undefined;
}

const root = document.getElementById('app')!;
app.ontoolresult = (result) => {
  const id = jobOf(result.structuredContent);
  if (id !== undefined) render(<JobView key={id} id={id} />, root);
  else render(<p class="problem">{textOf(result)}</p>, root);
};
render(<p class="empty">Waiting for the job…</p>, root);
app.connect().catch((error: unknown) => {
  render(<p class="problem">Could not reach the host: {messageOf(error)}</p>, root);
});
