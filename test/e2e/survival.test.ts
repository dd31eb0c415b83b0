// Proves, with a real MCP client over stdio against the built CLI and a real daemon: a job's
// exit code and output survive `kill -9` of both the daemon and the MCP server while it runs
// (a new server reports it failed, exit 7, output "done"); interact with python3 -i and with
// a read prompt still works after the MCP server and the daemon were restarted; an LLM prompt
// survives a restart of the MCP server, and one whose daemon is killed mid-answer is retried.
import { resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { daemonStatus } from '../../src/daemon/lifecycle.js';
import { interactOutputSchema, waitOutputSchema } from '../../src/api/control.js';
import { outputOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { procStat } from '../../src/procfs/proc.js';
import { startFakeProvider, type FakeProvider } from '../helpers/fake-providers.js';
import { makeHome, until, type TestHome } from '../helpers/home.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

interface Server {
  client: Client;
  pid: number;
}

let h: TestHome;
let servers: Server[] = [];
beforeEach(() => {
  h = makeHome();
});
afterEach(async () => {
  for (const server of servers) await server.client.close().catch(() => undefined);
  servers = [];
  await h.cleanup();
});

async function startServer(extraEnv: Record<string, string> = {}): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: { ...h.env, ...extraEnv },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'survival-test', version: '0.0.0' });
  await client.connect(transport);
  const server = { client, pid: transport.pid! };
  servers.push(server);
  return server;
}

async function call(server: Server, name: string, args: Record<string, unknown>) {
  const result = await server.client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent;
}

function gone(pid: number): boolean {
  const stat = procStat(pid);
  return stat === undefined || stat.state === 'Z';
}

async function killHard(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(() => gone(pid), 10_000, `pid ${pid} to die`);
}

async function killDaemonAndServer(server: Server): Promise<void> {
  const daemon = (await daemonStatus(h.config())).pid!;
  await killHard(daemon);
  await killHard(server.pid);
}

describe('survival over stdio', () => {
  it('keeps the exit code and output through kill -9 of the daemon and the MCP server', async () => {
    const first = await startServer();
    const { job_id } = executeOutputSchema.parse(
      await call(first, 'execute', { command: "sh -c 'sleep 2; echo done; exit 7'" }),
    );
    await killDaemonAndServer(first);

    const second = await startServer();
    const waited = waitOutputSchema.parse(await call(second, 'wait', { job_id, timeout_s: 30 }));
    expect(waited.done).toBe(true);
    expect(waited.jobs[0]).toMatchObject({ status: 'failed', exit_code: 7 });
    const output = outputOutputSchema.parse(await call(second, 'output', { job_id }));
    expect(output.stdout).toBe('done\n');
  });

  it('interacts with python3 -i and a read prompt after both were restarted', async () => {
    const first = await startServer();
    const python = executeOutputSchema.parse(
      await call(first, 'execute', { command: 'python3 -i -q' }),
    );
    const prompt = executeOutputSchema.parse(
      await call(first, 'execute', { command: 'printf "Name: "; read name; echo "Hello, $name"' }),
    );
    const before = interactOutputSchema.parse(
      await call(first, 'interact', { job_id: python.job_id, input: 'x = 6', timeout_s: 5 }),
    );
    expect(before.status).toBe('running');
    await killDaemonAndServer(first);

    const second = await startServer();
    const reply = interactOutputSchema.parse(
      await call(second, 'interact', { job_id: python.job_id, input: 'print(x*7)', expect: '42' }),
    );
    expect(reply.stdout).toContain('42');
    const seen = outputOutputSchema.parse(await call(second, 'output', { job_id: prompt.job_id }));
    expect(seen.stdout).toBe('Name: ');
    const hello = interactOutputSchema.parse(
      await call(second, 'interact', { job_id: prompt.job_id, input: 'Ada', expect: 'Hello' }),
    );
    expect(hello.stdout).toBe('Hello, Ada\n');
    await call(second, 'kill', { job_id: python.job_id, grace_s: 1 });
  });

  it('keeps a prompt through a restart of the MCP server, and retries one whose daemon died', async () => {
    const provider: FakeProvider = await startFakeProvider('openai');
    try {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      provider.reply({ chunks: ['first', ' answer'], gate });
      const first = await startServer(provider.env);
      const survivor = executeOutputSchema.parse(
        await call(first, 'prompt', { prompt: 'one', model: provider.model }),
      );
      await provider.request(0);
      await killHard(first.pid);
      open();
      const second = await startServer(provider.env);
      const waited = waitOutputSchema.parse(
        await call(second, 'wait', { job_id: survivor.job_id, timeout_s: 30 }),
      );
      expect(waited.jobs[0]?.status).toBe('completed');
      const answer = outputOutputSchema.parse(
        await call(second, 'output', { job_id: survivor.job_id }),
      );
      expect(answer.stdout).toBe('first answer\n');

      // A daemon killed mid-answer: the next daemon tries the prompt again.
      provider.reply({ chunks: ['slow', 'never'], delayMs: 60_000 });
      const retried = executeOutputSchema.parse(
        await call(second, 'prompt', { prompt: 'two', model: provider.model, retries: 1 }),
      );
      await provider.request(1);
      await until(
        async () =>
          outputOutputSchema.parse(await call(second, 'output', { job_id: retried.job_id }))
            .stdout === 'slow',
      );
      provider.reply({ chunks: ['again'] });
      await killHard((await daemonStatus(h.config())).pid!);
      const third = await startServer(provider.env);
      const again = waitOutputSchema.parse(
        await call(third, 'wait', { job_id: retried.job_id, timeout_s: 30 }),
      );
      expect(again.jobs[0]?.status).toBe('completed');
      const text = outputOutputSchema.parse(
        await call(third, 'output', { job_id: retried.job_id }),
      );
      expect(text.stdout).toMatch(/again\n$/);
    } finally {
      await provider.close();
    }
  });
});
