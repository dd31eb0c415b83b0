import { connect as netConnect, type Socket } from 'node:net';

import { BgError, ErrorCode } from '../api/errors.js';
import type { Caller } from '../api/caller.js';
import type { JobEvent, Progress } from '../api/contract.js';
import { LineFramer, peekId } from './line-framer.js';
import { MAX_LINE_BYTES, oversizedMessage } from './lines.js';
import type { Method } from './protocol.js';
import { readReply } from './replies.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress: ((progress: Progress) => void) | undefined;
  onEvent: ((event: JobEvent) => void) | undefined;
}

export interface RequestOptions {
  caller?: Caller;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onEvent?: (event: JobEvent) => void;
}

/** One open socket to the daemon, multiplexing requests by id. */
export class Connection {
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    // A reply too long to hold fails its request (by its id, read from its start), and only it.
    const framer = new LineFramer(
      MAX_LINE_BYTES,
      (line) => this.onLine(line.toString('utf8')),
      (line) => {
        const id = peekId(line);
        const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
        pending?.reject(new BgError(ErrorCode.internal, oversizedMessage(line.bytes)));
      },
    );
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => socket.destroy());
  }

  /** Connects to the daemon's socket; rejects with the system error code if nobody listens. */
  static open(path: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  request(method: Method, params: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(goneError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const { signal } = options;
      const onAbort = (): void => {
        this.socket.write(`${JSON.stringify({ id, cancel: true })}\n`);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
        onProgress: options.onProgress,
        onEvent: options.onEvent,
      });
      this.socket.write(`${JSON.stringify({ id, method, params, caller: options.caller })}\n`);
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onLine(line: string): void {
    const message = readReply(line);
    if (message === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if ('progress' in message) return pending.onProgress?.(message.progress);
    // The client checks the event, when it checks what comes back (see DaemonClient).
    if ('event' in message) return pending.onEvent?.(message.event as JobEvent);
    if ('error' in message) {
      const { code, message: text, data } = message.error;
      const known = Object.values(ErrorCode) as string[];
      return pending.reject(
        new BgError(known.includes(code) ? (code as ErrorCode) : ErrorCode.internal, text, {
          data,
        }),
      );
    }
    pending.resolve(message.result);
  }

  private onClose(): void {
    this.closed = true;
    for (const pending of [...this.pending.values()]) pending.reject(goneError());
  }
}

function goneError(): BgError {
  return new BgError(
    ErrorCode.daemonUnavailable,
    'The connection to the bgjobs daemon was lost; jobs keep running. Try again (the daemon restarts on demand).',
  );
}
