import { setTimeout as delay } from 'node:timers/promises';

import type { z } from 'zod';

import {
  agentsClient,
  AGENT_METHODS_WITH_ENV,
  type AgentMethod,
  type AgentsApi,
} from '../agents/contract.js';
import type { Config } from '../config.js';
import { BgError, ErrorCode, isBgError } from '../api/errors.js';
import type {
  ApiMethod,
  CallOptions,
  JobEvent,
  JobsApi,
  OUTPUT_SCHEMAS,
  WatchOptions,
} from '../api/contract.js';
import { Connection } from './connection.js';
import { socketPath } from './paths.js';
import { loadReplyChecks, type ReplyChecks } from './replies.js';
import { refuseBeforeSending } from './request-checks.js';

// Reads and waits may be sent again after a lost connection; the rest might act twice.
const MAX_ATTEMPTS = 4;
const WATCH_RETRY_MS = 500;
const STARTS_JOBS: ReadonlySet<string> = new Set(['execute', 'prompt', ...AGENT_METHODS_WITH_ENV]);
const RETRYABLE: ReadonlySet<string> = new Set([
  'agent_list',
  'list',
  'status',
  'output',
  'tail',
  'search',
  'wait',
]);

type Output<M extends ApiMethod> = z.infer<(typeof OUTPUT_SCHEMAS)[M]>;

/**
 * The JobsApi over the daemon's socket. It connects lazily, starts the daemon when none
 * answers (unless told not to), and reconnects after the daemon restarts.
 */
export class DaemonClient implements JobsApi {
  private connection: Connection | undefined;
  private opening: Promise<Connection> | undefined;
  private readonly config: Config;
  private readonly autoStart: boolean;
  private readonly checks: Promise<ReplyChecks> | undefined;
  private closed = false;

  constructor(config: Config, autoStart: boolean, checkReplies = true) {
    this.config = config;
    this.autoStart = autoStart;
    this.checks = checkReplies ? loadReplyChecks() : undefined;
  }

  execute = this.method('execute');
  list = this.method('list');
  status = this.method('status');
  output = this.method('output');
  tail = this.method('tail');
  search = this.method('search');
  interact = this.method('interact');
  kill = this.method('kill');
  wait = this.method('wait');
  remove = this.method('remove');
  prompt = this.method('prompt');
  /** The agents' methods (agent_start, agent_list, …, up, down). */
  readonly agents: AgentsApi = agentsClient((method, params, options) =>
    this.call(method, params, options),
  );

  /**
   * Streams job events until the signal aborts. It follows the daemon across restarts, but
   * never starts one itself: with no daemon there are no jobs running to report on.
   */
  async watch(options: WatchOptions): Promise<void> {
    const path = socketPath(this.config.home);
    const checks = await this.checks;
    const onEvent = (event: JobEvent): void => {
      const checked = checks === undefined ? event : checks.event(event);
      if (checked !== undefined) options.onEvent(checked);
    };
    while (!options.signal.aborted && !this.closed) {
      let connection: Connection | undefined;
      try {
        connection = await Connection.open(path);
        await connection.request(
          'watch',
          {},
          { signal: options.signal, onEvent, caller: options.caller },
        );
      } catch {
        // No daemon right now, or it went away: look again shortly.
      } finally {
        connection?.close();
      }
      if (!options.signal.aborted) {
        await delay(WATCH_RETRY_MS, undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
  }

  /** Opens the connection now, so a daemon that cannot start is reported early. */
  async ready(): Promise<void> {
    await this.connect();
  }

  close(): void {
    this.closed = true;
    this.connection?.close();
    this.connection = undefined;
  }

  private method<M extends ApiMethod>(name: M) {
    return async (input: unknown, options: CallOptions = {}): Promise<Output<M>> => {
      return (await this.call(name, input, options)) as Output<M>;
    };
  }

  private async call(
    method: ApiMethod | AgentMethod,
    params: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    // Only a new job takes the caller's environment; the other calls need not carry it.
    const { caller } = options;
    const sent =
      caller && !STARTS_JOBS.has(method) ? { ...options, caller: { ...caller, env: {} } } : options;
    const connected = this.connection !== undefined && !this.connection.closed;
    refuseBeforeSending(method, params, { home: this.config.home, connected });
    for (let attempt = 1; ; attempt++) {
      // Reaching (or starting) the daemon is not retried here: when it fails, it says why.
      const connection = await this.connect();
      try {
        const result = await connection.request(method, params, sent);
        const checks = await this.checks;
        return checks === undefined ? result : checks.result(method, result);
      } catch (error) {
        const lost = isBgError(error) && error.code === ErrorCode.daemonUnavailable;
        if (!lost || !RETRYABLE.has(method) || attempt >= MAX_ATTEMPTS) throw error;
        await delay(50 * attempt);
      }
    }
  }

  private connect(): Promise<Connection> {
    if (this.closed) {
      return Promise.reject(
        new BgError(ErrorCode.daemonUnavailable, 'This bgjobs client was closed.'),
      );
    }
    if (this.connection && !this.connection.closed) return Promise.resolve(this.connection);
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<Connection> {
    const path = socketPath(this.config.home);
    try {
      this.connection = await Connection.open(path);
    } catch (error) {
      if (!this.autoStart) {
        throw new BgError(
          ErrorCode.daemonUnavailable,
          `No bgjobs daemon is running for ${this.config.home}. Start one with: bgjobs daemon start`,
          { cause: error },
        );
      }
      // A home that cannot be used (read-only, a database that is none, locked or damaged) is
      // reported now, before the daemon's start (and zod, which it loads) costs a second or more.
      const { homeRefusal } = await import('./home-precheck.js');
      const refused = await homeRefusal(this.config.home);
      if (refused) throw refused;
      // Loaded only when no daemon answers: a running one needs none of it.
      const { startDaemon } = await import('./lifecycle.js');
      await startDaemon(this.config, { prechecked: true });
      this.connection = await Connection.open(path);
    }
    // Closed while this connection was being opened: do not let it hold the process open.
    if (this.closed) this.connection.close();
    return this.connection;
  }
}

/**
 * A client of this home's daemon, started on demand unless `autoStart` is false. It checks each
 * reply against its output schema unless `checkReplies` is false (the CLI, which prints what its
 * own daemon sends and must start without loading the schemas).
 */
export async function connect(
  config: Config,
  options: { autoStart?: boolean; checkReplies?: boolean } = {},
): Promise<DaemonClient> {
  const client = new DaemonClient(config, options.autoStart ?? true, options.checkReplies ?? true);
  await client.ready();
  return client;
}
