// A job's page: what it runs and how it went, its output live (a terminal for PTY jobs, which
// takes typed keys; stdin for the others while they run), and kill, run again and remove.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { OutputChunk } from '../src/http/rows.js';
import type { StatusResult } from '../src/api/listing.js';
import { act, follow } from './api.js';
import { JobFacts } from './job-facts.js';
import { useNow } from './now.js';
import { OutputView, type OutputSink } from './output-view.js';
import type { TerminalView as TerminalViewType } from './terminal-view.js';

export function JobPage({ id }: { id: string }) {
  const [job, setJob] = useState<StatusResult | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const sink = useRef<OutputSink | undefined>(undefined);
  const early = useRef<OutputChunk[]>([]);
  const now = useNow(1000);

  useEffect(
    () =>
      follow(`/api/jobs/${encodeURIComponent(id)}/stream`, {
        status: (data) => setJob(data as StatusResult),
        output: (data) => {
          const chunk = data as OutputChunk;
          if (sink.current === undefined) early.current.push(chunk);
          else sink.current(chunk);
        },
        problem: (data) => setProblem((data as { message: string }).message),
      }),
    [id],
  );
  useEffect(() => {
    if (job !== undefined) document.title = `${job.status} · ${job.name ?? job.job_id} · bgjobs`;
  }, [job]);

  const attach = (next: OutputSink) => {
    sink.current = next;
    for (const chunk of early.current.splice(0)) next(chunk);
  };
  const run = (action: string, body?: unknown) => {
    act(`/api/jobs/${encodeURIComponent(job?.job_id ?? id)}/${action}`, body)
      .then((reply) => {
        const started = reply as { job_id?: string };
        if (action === 'remove') location.assign('/');
        else if (action === 'retry' && started.job_id !== undefined)
          location.assign(`/jobs/${started.job_id}`);
      })
      .catch((error: unknown) =>
        setProblem(error instanceof Error ? error.message : String(error)),
      );
  };

  if (job === undefined) {
    return (
      <main>
        {problem === undefined ? <p class="empty">Loading…</p> : <p class="problem">{problem}</p>}
      </main>
    );
  }
  const live = job.status === 'running' || job.status === 'queued';
  return (
    <main>
      <header>
        <a href="/">← jobs</a>
        <h1>{job.name ?? job.job_id}</h1>
        <span class={`status ${job.status}`} data-testid="status">
          {job.status}
        </span>
        <span class="actions">
          {live && (
            <button type="button" onClick={() => run('kill')}>
              Kill
            </button>
          )}
          {job.kind === 'shell' && job.on === null && (
            <button type="button" onClick={() => run('retry')}>
              {live ? 'Restart' : 'Run again'}
            </button>
          )}
          <button
            type="button"
            onClick={() => confirm('Remove this job and its output?') && run('remove')}
          >
            Remove
          </button>
        </span>
      </header>
      {problem !== undefined && <p class="problem">{problem}</p>}
      <JobFacts job={job} now={now} />
      {job.pty !== null ? (
        <LazyTerminal size={job.pty} attach={attach} onData={(data) => run('input', { data })} />
      ) : (
        <OutputView attach={attach} />
      )}
      {job.pty === null && job.status === 'running' && job.stdin_open && (
        <StdinBox send={(data) => run('input', { data })} />
      )}
    </main>
  );
}

type TerminalProps = Parameters<typeof TerminalViewType>[0];

/** The terminal (xterm.js, most of the script's weight) is loaded only by a PTY job's page. */
function LazyTerminal(props: TerminalProps) {
  const [View, setView] = useState<((props: TerminalProps) => preact.JSX.Element) | undefined>();
  useEffect(() => {
    void import('./terminal-view.js').then((module) => setView(() => module.TerminalView));
  }, []);
  return View === undefined ? <p class="empty">Loading the terminal…</p> : <View {...props} />;
}

function StdinBox({ send }: { send: (data: string) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      class="stdin"
      onSubmit={(event) => {
        event.preventDefault();
        send(`${text}\n`);
        setText('');
      }}
    >
      <input
        aria-label="stdin"
        placeholder="send a line to stdin"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Send</button>
    </form>
  );
}
