import type { Readable, Writable } from 'node:stream';

import {
  deserializeMessage,
  INVALID_REQUEST,
  type JSONRPCMessage,
  serializeMessage,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  type Transport,
} from '@modelcontextprotocol/server';

import { LineFramer, type OversizedLine, peekId } from '../daemon/line-framer.js';

/** The longest message `bgjobs mcp` reads from stdin: the SDK's stdio limit, 10 MiB. */
export const MAX_MESSAGE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/**
 * MCP over stdin/stdout, one JSON-RPC message per line, as the SDK's `StdioServerTransport` — but
 * a message over MAX_MESSAGE_BYTES does not end the connection: the request is answered with an
 * error that names the limit (when its id can be read), the rest of its line is dropped, and the
 * next message is read as usual. Framing is linear in the bytes read, so a message of several MB
 * is parsed (and refused by the tool) at once. `closed` resolves once stdin ends or it is closed.
 *
 * @example
 * const transport = new StdioTransport();
 * serveConnection(api, options, transport);
 * await transport.closed;
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly closed: Promise<void>;
  private markClosed: () => void = () => {};
  private isClosed = false;
  private started = false;
  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly framer: LineFramer;

  constructor(stdin: Readable = process.stdin, stdout: Writable = process.stdout) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.framer = new LineFramer(
      MAX_MESSAGE_BYTES,
      (line) => this.onLine(line),
      (line) => this.onOversized(line),
    );
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  start(): Promise<void> {
    if (this.started) return Promise.reject(new Error('StdioTransport already started'));
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStdinError);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('close', this.onEnd);
    this.stdout.on('error', this.onStdoutError);
    if (this.stdin.readableEnded || this.stdin.destroyed) setImmediate(this.onEnd);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('The stdio transport is closed'));
    // Settles once the line is handed to the pipe, so a slow reader holds back the sender.
    return new Promise((resolve, reject) => {
      this.stdout.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.isClosed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStdinError);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('close', this.onEnd);
    // Late write failures (the client gone) are not worth an unhandled 'error'.
    this.stdout.off('error', this.onStdoutError);
    this.stdout.on('error', () => undefined);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.framer.clear();
    this.onclose?.();
    this.markClosed();
    return Promise.resolve();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };

  private readonly onStdinError = (error: Error): void => this.onerror?.(error);

  private readonly onStdoutError = (error: Error): void => {
    this.onerror?.(error);
    this.close().catch(() => undefined);
  };

  private readonly onEnd = (): void => {
    this.close().catch(() => undefined);
  };

  private onLine(line: Buffer): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line.toString('utf8'));
    } catch (error) {
      // As the SDK's transport: a line that is not a JSON-RPC message is reported and skipped.
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.onmessage?.(message);
  }

  private onOversized(line: OversizedLine): void {
    const id = peekId(line);
    const text = `The message is ${line.bytes} bytes, larger than the limit of ${MAX_MESSAGE_BYTES} bytes (10 MiB) for one MCP message over stdio; it was dropped. A command or an input is at most 64 KiB: put large data in a file and pass its path.`;
    this.onerror?.(new Error(`${text} (request id ${id ?? 'unreadable'})`));
    if (id === undefined) return;
    const reply: JSONRPCMessage = {
      jsonrpc: '2.0',
      id,
      error: {
        code: INVALID_REQUEST,
        message: text,
        data: { limit_bytes: MAX_MESSAGE_BYTES, size_bytes: line.bytes },
      },
    };
    this.send(reply).catch((error: unknown) =>
      this.onerror?.(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
