// A floor for the HTTP round trip: the same SDK client, over Streamable HTTP, to a bare Node
// HTTP server (its own process) that answers every call with a result it was given, doing none
// of bgjobs' work — no guards, no MCP server, no engine. What the client's HTTP path costs.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { startScript } from './script-server.js';

// Speaks as much MCP as a client needs: initialize (a session id), notifications (202), a GET
// for the session's stream (405: the client goes on without it), DELETE (200); anything else
// gets the canned result under its id. Says its port once it listens.
const SERVER = `
const http = require('node:http');
const result = JSON.parse(process.argv[1]);
http.createServer((req, res) => {
  if (req.method === 'GET') { res.writeHead(405).end(); return; }
  if (req.method === 'DELETE') { res.writeHead(200).end(); return; }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (message.id === undefined) { res.writeHead(202).end(); return; }
    const answer = message.method === 'initialize'
      ? { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'bare', version: '0' } }
      : result;
    const body = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: answer });
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'bare' });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
`;

export interface BareHttpMcp {
  client: Client;
  close: () => Promise<void>;
}

/** A connected SDK client to a bare HTTP server answering each tool call with RESULT. */
export async function bareHttpMcp(result: unknown): Promise<BareHttpMcp> {
  const { child: server, said } = await startScript(
    SERVER,
    JSON.stringify(result),
    'the bare HTTP server',
  );
  try {
    const client = new Client({ name: 'bgjobs-bench', version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${Number(said)}/`)),
    );
    return {
      client,
      close: async () => {
        await client.close();
        server.kill('SIGKILL');
      },
    };
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
}
