import { chmodSync, lstatSync, rmSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname } from 'node:path';

import type { AgentMethod, AgentsApi } from '../agents/contract.js';
import { BgError, describeZodError, ErrorCode, toBgError } from '../api/errors.js';
import type { CallOptions, JobsApi, Progress } from '../api/contract.js';
import { LineFramer, peekId } from './line-framer.js';
import {
  cancelSchema,
  MAX_LINE_BYTES,
  oversizedMessage,
  requestSchema,
  type Request,
  type Response,
} from './protocol.js';

export interface DaemonHandlers {
  api: JobsApi;
  /** The agents' methods (agent_*, up, down). */
  agents?: AgentsApi;
  ping: () => unknown;
  shutdown: () => void;
  /** Called whenever a request starts or ends, so the daemon can track idleness. */
  onActivity: () => void;
  /** Where the server says what it did on its own (listening again on a lost socket path). */
  log?: (message: string) => void;
  /** Puts an unexpected failure of a request in words (a read-only home, a full disk). */
  explain?: (error: unknown) => unknown;
}

// The socket's folder is watched (inotify), so a deleted socket is listened on again at once;
// the path is also looked at every KEEP_PATH_MS in case an event is lost, or every
// KEEP_PATH_UNWATCHED_MS where the folder cannot be watched.
const KEEP_PATH_MS = 5000;
const KEEP_PATH_UNWATCHED_MS = 250;

/**
 * Serves the JobsApi on a local socket private to the user (0600, in a 0700 folder). Each
 * request runs on its own; a bad or hostile message gets an error reply and never takes the
 * daemon down. A request is cancelled when its client cancels it or goes away.
 */
export class SocketServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly handlers: DaemonHandlers;
  private keeper: NodeJS.Timeout | undefined;
  private folderWatch: FSWatcher | undefined;
  private bound: { path: string; file: Stats } | undefined;
  private rebinding = false;
  private closed = false;
  private lastFailure = '';
  inFlight = 0;

  constructor(handlers: DaemonHandlers) {
    this.handlers = handlers;
  }

  /**
   * Listens on `path`, and keeps it: if the socket file is deleted or replaced (a cleanup of
   * /tmp, a mistaken `rm`), it listens there again as soon as the folder's watch tells, so
   * clients never find the home without a daemon while this one (holding the home's lock) lives.
   */
  async listen(path: string): Promise<void> {
    await this.bind(path);
    this.keeper = setInterval(
      () => this.keepPath(),
      this.watchFolder(path) ? KEEP_PATH_MS : KEEP_PATH_UNWATCHED_MS,
    );
    this.keeper.unref();
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.keeper);
    this.folderWatch?.close();
    for (const socket of this.sockets) socket.destroy();
    const { server } = this;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async bind(path: string): Promise<void> {
    rmSync(path, { force: true });
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Create the socket with no access for others from the first moment.
      const oldMask = process.umask(0o177);
      server.listen(path, () => {
        process.umask(oldMask);
        server.off('error', reject);
        chmodSync(path, 0o600);
        this.server = server;
        this.bound = { path, file: lstatSync(path) };
        resolve();
      });
    });
  }

  /** Watches the socket's folder for its name; false when the folder cannot be watched. */
  private watchFolder(path: string): boolean {
    const name = basename(path);
    try {
      this.folderWatch = watch(dirname(path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.keepPath();
      });
    } catch {
      return false;
    }
    // The folder gone or the watch broken: the periodic look goes on, only slower to notice.
    this.folderWatch.on('error', () => this.folderWatch?.close());
    return true;
  }

  private keepPath(): void {
    const { bound, server } = this;
    if (bound === undefined || server === undefined || this.rebinding || this.closed) return;
    const now = statOrUndefined(bound.path);
    if (now !== undefined && now.ino === bound.file.ino && now.dev === bound.file.dev) return;
    const what = now === undefined ? 'deleted' : 'replaced';
    this.rebinding = true;
    // Connections already open go on; closing the listener also unlinks what is at the path.
    server.close();
    this.bind(bound.path)
      .then(
        () => {
          this.lastFailure = '';
          this.handlers.log?.(`the socket ${bound.path} was ${what}: listening there again`);
          // Deleted again while this one was being made: its event came while rebinding.
          setImmediate(() => this.keepPath());
        },
        (error: unknown) => {
          // Tried again at the next check; said once, not every KEEP_PATH_MS.
          const failure = `could not listen on ${bound.path} again: ${String(error)}`;
          if (failure !== this.lastFailure) this.handlers.log?.(failure);
          this.lastFailure = failure;
        },
      )
      .finally(() => {
        this.rebinding = false;
      });
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    const running = new Map<number, AbortController>();
    const send = (message: Response): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    // A line too long to hold is answered (by its id, read from its start) and skipped.
    const framer = new LineFramer(
      MAX_LINE_BYTES,
      (line) => this.onLine(line.toString('utf8'), running, send),
      (line) => {
        const id = peekId(line);
        const message = oversizedMessage(line.bytes);
        send({ id: typeof id === 'number' ? id : -1, error: { code: 'invalid_input', message } });
      },
    );
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const controller of running.values()) controller.abort();
    });
    socket.on('error', () => socket.destroy());
  }

  private onLine(
    line: string,
    running: Map<number, AbortController>,
    send: (m: Response) => void,
  ): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return send({ id: -1, error: { code: 'invalid_input', message: 'Bad message: not JSON.' } });
    }
    const cancel = cancelSchema.safeParse(message);
    if (cancel.success) return void running.get(cancel.data.id)?.abort();
    const parsed = requestSchema.safeParse(message);
    if (!parsed.success) {
      const id =
        typeof (message as { id?: unknown }).id === 'number' ? (message as { id: number }).id : -1;
      return send({
        id,
        error: { code: 'invalid_input', message: `Bad request: ${describeZodError(parsed.error)}` },
      });
    }
    const controller = new AbortController();
    running.set(parsed.data.id, controller);
    // A watcher listens for as long as its client lives: that is not activity keeping the
    // daemon up when nothing runs.
    const counts = parsed.data.method !== 'watch';
    if (counts) {
      this.inFlight += 1;
      this.handlers.onActivity();
    }
    this.dispatch(parsed.data, controller.signal, send)
      .then(
        (result) => send({ id: parsed.data.id, result }),
        (error: unknown) => {
          const bg = toBgError(this.handlers.explain?.(error) ?? error);
          send({
            id: parsed.data.id,
            error: { code: bg.code, message: bg.message, data: bg.data },
          });
        },
      )
      .finally(() => {
        running.delete(parsed.data.id);
        if (counts) {
          this.inFlight -= 1;
          this.handlers.onActivity();
        }
      });
  }

  private async dispatch(
    request: Request,
    signal: AbortSignal,
    send: (message: Response) => void,
  ): Promise<unknown> {
    const onProgress = (progress: Progress): void => send({ id: request.id, progress });
    const options = { caller: request.caller, signal, onProgress };
    const params = (request.params ?? {}) as never;
    const { api } = this.handlers;
    switch (request.method) {
      case 'ping':
        return this.handlers.ping();
      case 'watch':
        // Streams events until the client cancels the request or goes away.
        await api.watch({ signal, onEvent: (event) => send({ id: request.id, event }) });
        return { watching: false };
      case 'shutdown':
        setImmediate(() => this.handlers.shutdown());
        return { stopping: true };
      case 'execute':
        return api.execute(params, options);
      case 'list':
        return api.list(params, options);
      case 'status':
        return api.status(params, options);
      case 'output':
        return api.output(params, options);
      case 'tail':
        return api.tail(params, options);
      case 'search':
        return api.search(params, options);
      case 'interact':
        return api.interact(params, options);
      case 'kill':
        return api.kill(params, options);
      case 'wait':
        return api.wait(params, options);
      case 'remove':
        return api.remove(params, options);
      case 'prompt':
        return api.prompt(params, options);
      default:
        return this.dispatchAgents(request.method, params, options);
    }
  }

  private dispatchAgents(
    method: AgentMethod,
    params: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    const { agents } = this.handlers;
    if (!agents) throw new BgError(ErrorCode.notAllowed, 'This server has no agents.');
    return agents[method](params, options);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
