import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { findProjectFile } from './project-commands.js';
import type { HttpTable } from '../agents/project-file.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { cliConfig, type JsonOption, note, print, stayAlive } from './session.js';

/** `bgjobs serve --http`, `bgjobs token` and `bgjobs dashboard`: the HTTP server's commands. */

interface ServeOptions {
  config?: string;
  http?: boolean;
  port?: number;
  host?: string;
  allowRemote?: boolean;
}

function port(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65_535) {
    throw new InvalidArgumentError('Expected a port number from 0 to 65535.');
  }
  return value;
}

/** The `http` table of a project file, read and checked (errors name the line and column). */
export async function projectHttp(file: string): Promise<HttpTable | undefined> {
  const { parseProjectFile } = await import('../agents/project-file.js');
  return parseProjectFile(readFileSync(file, 'utf8'), file).http;
}

export function addHttpCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the daemon in the foreground (systemd, containers); with --http, serve MCP and the dashboard; with --config, apply a project file and log JSON lines',
    )
    .option(
      '--config <file>',
      'the project file to apply (bgjobs.toml); logs one JSON line per event',
    )
    .option('--http', 'serve MCP over Streamable HTTP (/mcp) and the dashboard (/)')
    .option('--port <n>', 'the port (default 7717, or $BGJOBS_HTTP_PORT)', port)
    .option('--host <address>', 'the address to listen on (default 127.0.0.1)')
    .option('--allow-remote', 'allow a non-loopback --host (put TLS in front of it)')
    .action(async (options: ServeOptions) => {
      const file = options.config === undefined ? undefined : findProjectFile(options.config);
      // Serving a project file never stops for being idle: systemd or the container decides.
      const config = file === undefined ? cliConfig() : { ...cliConfig(), idleTimeoutS: 0 };
      const { httpSettingsFromEnv } = await import('../http/settings.js');
      const { ping } = await import('../daemon/lifecycle.js');
      const fromEnv = httpSettingsFromEnv(process.env);
      const running = await ping(config);
      if (running !== undefined) {
        const serving = running.http_url === null ? '' : ` and serves HTTP at ${running.http_url}`;
        throw new BgError(
          ErrorCode.daemonUnavailable,
          `A daemon already runs for ${config.home} (pid ${running.pid})${serving}. Stop it with \`bgjobs daemon stop\`, then run \`bgjobs serve\` again.`,
        );
      }
      // The project file's `http = { port, host }` turns HTTP on there; flags say otherwise.
      const fromFile = file === undefined ? undefined : await projectHttp(file);
      const on = options.http === true || fromFile !== undefined;
      const http = on
        ? {
            port: options.port ?? fromFile?.port ?? fromEnv?.port ?? 7717,
            host: options.host ?? fromFile?.host ?? fromEnv?.host ?? '127.0.0.1',
            allowRemote: options.allowRemote === true || fromEnv?.allowRemote === true,
            allowedHosts: fromEnv?.allowedHosts ?? [],
          }
        : fromEnv;
      const { runDaemon } = await import('../daemon/daemon.js');
      stayAlive();
      await runDaemon(config, {
        http,
        httpCwd: process.cwd(),
        ...(file === undefined
          ? {}
          : { configFile: file, json: true, logLevel: process.env.LOG_LEVEL }),
      });
    });

  program
    .command('token')
    .description('Print the HTTP token (made at first use; Authorization: Bearer TOKEN on /mcp)')
    .option('--rotate', 'replace it: the old token and dashboard sessions stop working')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption & { rotate?: boolean }) => {
      const { readOrCreateToken, rotateToken } = await import('../http/token.js');
      const { home } = cliConfig();
      const token = options.rotate === true ? rotateToken(home) : readOrCreateToken(home);
      print(options, { token, rotated: options.rotate === true }, (result) => result.token);
    });

  program
    .command('dashboard')
    .description('Print a one-time login link to the dashboard (and open it, in a terminal)')
    .option('--no-open', 'only print the link')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption & { open: boolean }) => {
      const config = cliConfig();
      const { ping, startDaemon } = await import('../daemon/lifecycle.js');
      const { httpSettingsFromEnv } = await import('../http/settings.js');
      let running = await ping(config);
      // BGJOBS_HTTP_PORT (or _HOST) turns HTTP on for the daemon started on demand.
      if (running === undefined && httpSettingsFromEnv(process.env) !== undefined) {
        await startDaemon(config);
        running = await ping(config);
      }
      const base = running?.http_url ?? null;
      if (base === null) {
        throw new BgError(
          ErrorCode.daemonUnavailable,
          'The daemon does not serve HTTP. Run `bgjobs serve --http`, or set BGJOBS_HTTP_PORT (e.g. 7717) and run `bgjobs dashboard` again.',
        );
      }
      const { readOrCreateToken } = await import('../http/token.js');
      const { makeLoginCode } = await import('../http/login.js');
      const url = `${base}/login?code=${makeLoginCode(readOrCreateToken(config.home))}`;
      print(options, { url }, (result) => result.url);
      if (options.open && options.json !== true && process.stdout.isTTY) await openBrowser(url);
    });
}

/** Opens URL with $BROWSER or xdg-open, when there is one; says so when there is none. */
async function openBrowser(url: string): Promise<void> {
  const opener = process.env.BROWSER || onPath('xdg-open');
  if (opener === undefined || (process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY) === undefined) {
    note('no browser to open here: open the link above (it works once, for 5 minutes)');
    return;
  }
  // Loaded here: every other command starts faster without child_process.
  const { spawn } = await import('node:child_process');
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => note(`could not run ${opener}: open the link above`));
  child.unref();
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}
