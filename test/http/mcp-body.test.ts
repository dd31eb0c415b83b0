// Proves: the cheap check that spares the SDK's schema for a usual call never passes a message
// the schema refuses — over hand-picked near misses and a few thousand generated messages — and
// does pass the calls clients send (no `_meta`), so the cheap path is the one taken.
import { isJSONRPCRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { surelyRequest } from '../../src/http/mcp-body.js';

const call = {
  jsonrpc: '2.0',
  id: 3,
  method: 'tools/call',
  params: { name: 'status', arguments: {} },
};

describe('surelyRequest', () => {
  it('passes the calls clients send, as the SDK does', () => {
    for (const message of [
      call,
      { ...call, id: 'a-string-id' },
      { jsonrpc: '2.0', id: 0, method: 'ping' },
      { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} },
    ]) {
      expect(surelyRequest(message), JSON.stringify(message)).toBe(true);
      expect(isJSONRPCRequest(message)).toBe(true);
    }
  });

  it('never passes what the SDK refuses, and leaves _meta to the SDK', () => {
    const nearMisses: unknown[] = [
      null,
      [call],
      'text',
      { ...call, jsonrpc: '1.0' },
      { ...call, id: 1.5 },
      { ...call, id: null },
      { ...call, id: 2 ** 60 },
      { ...call, method: 5 },
      { ...call, params: [] },
      { ...call, params: null },
      { ...call, extra: true },
      { ...call, params: { _meta: 5 } },
      { ...call, params: { _meta: { progressToken: {} } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ];
    for (const message of nearMisses) {
      expect(surelyRequest(message), JSON.stringify(message)).toBe(false);
    }
    // Generated: every field from a pool of right and wrong values; the cheap check may be
    // stricter than the schema, never looser.
    const values = [
      undefined,
      null,
      0,
      1,
      -1,
      1.5,
      2 ** 60,
      '',
      'x',
      '2.0',
      true,
      [],
      {},
      { _meta: {} },
    ];
    let passed = 0;
    for (const jsonrpc of values)
      for (const id of values)
        for (const method of values)
          for (const params of values) {
            const message: Record<string, unknown> = {};
            if (jsonrpc !== undefined) message.jsonrpc = jsonrpc;
            if (id !== undefined) message.id = id;
            if (method !== undefined) message.method = method;
            if (params !== undefined) message.params = params;
            if (!surelyRequest(message)) continue;
            passed++;
            expect(isJSONRPCRequest(message), JSON.stringify(message)).toBe(true);
          }
    expect(passed).toBeGreaterThan(0);
  });
});
