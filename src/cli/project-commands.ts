import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { Command } from 'commander';

import type { UpResult } from '../agents/api.js';
import { BgError, ErrorCode } from '../api/errors.js';
import { daemonEnv } from '../daemon/daemon-env.js';
import { cliConfig, type JsonOption, print, withApi } from './session.js';

/** `bgjobs up`/`down` (a project file), `agent logs`, `serve --config` and `daemon unit`. */

const PROJECT_FILE = 'bgjobs.toml';

/** The project file: the one given, else bgjobs.toml here or in the nearest folder above. */
export function findProjectFile(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new BgError(ErrorCode.invalidInput, `No file ${path}.`);
    return realpathSync(path);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const path = join(dir, PROJECT_FILE);
    if (existsSync(path)) return realpathSync(path);
    if (dirname(dir) === dir) break;
  }
  throw new BgError(
    ErrorCode.invalidInput,
    `No ${PROJECT_FILE} here or in any folder above. Write one, or give it with -f FILE.`,
  );
}

/**
 * Puts the file's `http = { port, host }` in this process's environment (unless it sets them
 * itself), where the daemon this command may start reads its HTTP settings.
 */
async function httpFromFile(text: string, file: string): Promise<void> {
  const { parseProjectFile } = await import('../agents/project-file.js');
  const http = parseProjectFile(text, file).http;
  if (http === undefined) return;
  process.env.BGJOBS_HTTP_PORT ??= String(http.port ?? 7717);
  if (http.host !== undefined) process.env.BGJOBS_HTTP_HOST ??= http.host;
}

function formatSteps(result: UpResult): string {
  const lines = result.steps.map(
    (s) =>
      `${s.action.padEnd(7)} ${s.kind} ${s.name}${s.job_id ? ` (${s.job_id})` : ''}${s.error ? `: ${s.error}` : ''}`,
  );
  return [...lines, result.changed ? '' : 'nothing to change'].filter(Boolean).join('\n');
}

export function addProjectCommands(program: Command, agent: Command): void {
  for (const verb of ['up', 'down'] as const) {
    program
      .command(verb)
      .description(
        verb === 'up'
          ? 'Apply bgjobs.toml: start what is new, replace what changed, stop what was removed'
          : 'Stop the services and agents bgjobs.toml declares',
      )
      .option('-f, --file <file>', 'the project file (default: bgjobs.toml here or above)')
      .option('--json', 'print the API result as JSON')
      .action(async (options: JsonOption & { file?: string }) => {
        const file = findProjectFile(options.file);
        const text = readFileSync(file, 'utf8');
        // A daemon started on demand for the project serves HTTP where its file says.
        if (verb === 'up') await httpFromFile(text, file);
        await withApi(async ({ agents, call }) => {
          const result = await agents[verb]({ file, text }, call);
          print(options, result, formatSteps);
          if (result.steps.some((s) => s.error !== null)) process.exitCode = 1;
        });
      });
  }

  agent
    .command('logs')
    .description("Print the last run's output; -f prints each run as it ends")
    .argument('<name>')
    .option('-f, --follow', 'keep printing runs as they end (Ctrl-C stops)')
    .action(async (name: string, options: { follow?: boolean }) => {
      await withApi(async ({ api, agents, call }) => {
        let shown: string | undefined;
        for (;;) {
          const [info] = (await agents.agent_list({ name }, call)).agents;
          const last = info?.last_run;
          const ended = last && last.status !== 'running' && last.status !== 'queued';
          if (last && last.job_id !== shown && (ended || !options.follow)) {
            const out = await api.output({ job_id: last.job_id, max_bytes: 1024 * 1024 }, call);
            if (options.follow) process.stdout.write(`── run ${last.job_id} ${last.status} ──\n`);
            process.stdout.write(out.stdout);
            process.stderr.write(out.stderr);
            shown = last.job_id;
          }
          if (!options.follow) {
            if (!last) process.stderr.write(`bgjobs: agent ${name} has no run yet\n`);
            return;
          }
          await delay(500);
        }
      });
    });

  program.commands
    .find((command) => command.name() === 'daemon')
    ?.command('unit')
    .description('Print a systemd user unit that runs `bgjobs serve` (Restart=always)')
    .option('--config <file>', 'the project file it serves (default: bgjobs.toml here or above)')
    .action((options: { config?: string }) => {
      process.stdout.write(systemdUnit(findProjectFile(options.config), cliConfig().home));
    });
}

/** A systemd user unit for `bgjobs serve --config FILE`. */
export function systemdUnit(file: string, home: string): string {
  const cli = realpathSync(process.argv[1] ?? 'bgjobs');
  return `# ~/.config/systemd/user/bgjobs.service — then: systemctl --user daemon-reload && systemctl --user enable --now bgjobs
[Unit]
Description=bgjobs: background jobs and agents for ${dirname(file)}
After=network.target

[Service]
Type=simple
WorkingDirectory=${dirname(file)}
Environment=BGJOBS_HOME=${home}
Environment=LOG_LEVEL=info
# One malloc arena, as for a daemon started on demand (bgjobs drops it from its jobs' env).
${Object.entries(daemonEnv({}))
  .map(([name, value]) => `Environment=${name}=${value ?? ''}`)
  .join('\n')}
ExecStart=${process.execPath} ${cli} serve --config ${file}
Restart=always
RestartSec=2
# Jobs run under their own monitors and outlive the daemon: stopping it must not kill them.
KillMode=process

[Install]
WantedBy=default.target
`;
}
