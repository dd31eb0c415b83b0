// Proves: the line framer of the MCP stdio transport and the daemon's socket gives back every
// line whole however the stream is chunked; a line over the limit is dropped (never buffered
// whole) and reported once with its size and ends, and the lines after it are read as usual; the
// id of a dropped JSON-RPC or socket request is read from either end, and never from a nested
// object or a string.
import { expect, it } from 'vitest';

import { LineFramer, type OversizedLine, peekId } from '../../src/daemon/line-framer.js';

function frame(max: number, chunks: readonly string[]): { lines: string[]; big: OversizedLine[] } {
  const lines: string[] = [];
  const big: OversizedLine[] = [];
  const framer = new LineFramer(
    max,
    (line) => lines.push(line.toString('utf8')),
    (line) => big.push(line),
  );
  for (const chunk of chunks) framer.push(Buffer.from(chunk));
  return { lines, big };
}

it('gives back every line whole, however the stream is chunked', () => {
  const text = 'one\r\ntwo\n\nthree é\nfour';
  for (let size = 1; size <= text.length; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    expect(frame(100, chunks)).toEqual({ lines: ['one', 'two', 'three é'], big: [] });
  }
});

it('drops a line over the limit, reports it once, and reads on', () => {
  const long = `{"id":7,"x":"${'a'.repeat(50_000)}"}`;
  const { lines, big } = frame(1000, [
    'first\n',
    long.slice(0, 20_000),
    long.slice(20_000),
    '\nnext\n',
  ]);
  expect(lines).toEqual(['first', 'next']);
  expect(big).toHaveLength(1);
  expect(big[0]!.bytes).toBe(long.length);
  expect(peekId(big[0]!)).toBe(7);
});

it('reads the id of a dropped request from its start or its end, and only at the top level', () => {
  const line = (head: string, tail: string): OversizedLine => ({ bytes: 1e9, head, tail });
  expect(peekId(line('{"jsonrpc":"2.0","id":"a-1","method":', ''))).toBe('a-1');
  expect(peekId(line('{"method":"tools/call","params":{', '"}},"jsonrpc":"2.0","id":12}\n'))).toBe(
    12,
  );
  expect(peekId(line('{"method":"x","params":{"id":3,', 'xx"}}'))).toBeUndefined();
  expect(peekId(line('{"params":', '"id":4}}'))).toBeUndefined();
  expect(peekId(line('{"params":"', '\\"id\\":5}"}'))).toBeUndefined();
  expect(peekId(line('garbage', 'garbage'))).toBeUndefined();
});
