// Background agents: each one's triggers, state, next run and latest runs, pushed by the server
// whenever one changes; pause, resume and run now.
import { useLayoutEffect, useState } from 'preact/hooks';

import type { AgentRow, AgentsMessage } from '../src/http/rows.js';
import { act, follow } from './api.js';
import { exitOf, when } from './format.js';
import { Header } from './nav.js';

export function AgentsView() {
  const [message, setMessage] = useState<AgentsMessage | undefined>(undefined);
  const [connected, setConnected] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useLayoutEffect(
    () =>
      follow(
        '/api/agents/events',
        { agents: (data) => setMessage(data as AgentsMessage) },
        setConnected,
      ),
    [],
  );
  const run = (agent: AgentRow, action: 'pause' | 'resume' | 'run') => {
    act(`/api/agents/${encodeURIComponent(agent.name)}/${action}`).catch((error: unknown) =>
      setProblem(error instanceof Error ? error.message : String(error)),
    );
  };
  return (
    <main>
      <Header connected={connected} />
      {problem !== undefined && <p class="problem">{problem}</p>}
      {message === undefined ? (
        <p class="empty">Loading…</p>
      ) : !message.available ? (
        <p class="empty">This server has no background agents (the daemon's HTTP server has).</p>
      ) : message.agents.length === 0 ? (
        <p class="empty">No agents yet: bgjobs agent start, or [agents] in bgjobs.toml.</p>
      ) : (
        message.agents.map((agent) => (
          <section class="agent" data-agent={agent.name} data-state={agent.state}>
            <h2>
              {agent.name} <span class={`status ${agent.state}`}>{agent.state}</span>
              <span class="actions">
                {agent.state === 'paused' ? (
                  <button type="button" onClick={() => run(agent, 'resume')}>
                    Resume
                  </button>
                ) : (
                  <button type="button" onClick={() => run(agent, 'pause')}>
                    Pause
                  </button>
                )}
                <button type="button" onClick={() => run(agent, 'run')}>
                  Run now
                </button>
              </span>
            </h2>
            <p class="facts-line">
              <span>
                {agent.kind === 'llm' ? 'prompt' : 'runs'} <code>{agent.action}</code>
              </span>
              <span data-testid="triggers">on: {agent.triggers.join(', ') || 'manual'}</span>
              <span data-testid="next-run">next run: {when(agent.next_run_at)}</span>
              <span>runs: {agent.runs}</span>
              {agent.failures > 0 && <span>failures in a row: {agent.failures}</span>}
            </p>
            {agent.error !== null && <p class="problem">{agent.error}</p>}
            {agent.warnings.map((warning) => (
              <p class="warning">{warning}</p>
            ))}
            {agent.recent.length > 0 && (
              <table class="jobs history">
                <tbody>
                  {agent.recent.map((job) => (
                    <tr key={job.job_id} data-job={job.job_id} data-status={job.status}>
                      <td>
                        <a href={`/jobs/${job.job_id}`}>{job.job_id}</a>
                      </td>
                      <td>
                        <span class={`status ${job.status}`}>{job.status}</span>
                      </td>
                      <td>{when(job.started_at)}</td>
                      <td>{exitOf(job)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))
      )}
    </main>
  );
}
