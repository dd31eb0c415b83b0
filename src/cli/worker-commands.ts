import type { Command } from 'commander';

import { BgError, ErrorCode } from '../api/errors.js';
import { formatAge, formatTable } from './format.js';
import { cliConfig, note, print, stayAlive, type JsonOption } from './session.js';

/** `bgjobs worker` (run jobs for a daemon on another machine) and `bgjobs workers` (list them). */

interface WorkerOptions {
  redis?: string;
  labels?: string;
  concurrency?: string;
  name?: string;
}

export function addWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'Run jobs queued for these labels by daemons on other machines (through Redis), until stopped',
    )
    .option(
      '--redis <url>',
      'redis://[user:]password@host:port (rediss:// for TLS); or BGJOBS_REDIS_URL',
    )
    .option('--labels <l1,l2>', 'the labels this worker takes jobs for; or BGJOBS_WORKER_LABELS')
    .option('--concurrency <n>', 'jobs it runs at once (default 10)')
    .option(
      '--name <name>',
      'its name among the workers (default: the host name); or BGJOBS_WORKER_NAME',
    )
    .action(async (options: WorkerOptions) => {
      const { workerSettings } = await import('../remote/worker-settings.js');
      const { RemoteWorker } = await import('../remote/worker/worker.js');
      const settings = workerSettings(options, process.env);
      const worker = new RemoteWorker({
        ...settings,
        home: cliConfig().home,
        env: process.env,
        defaultCwd: cliConfig().workingDir ?? process.cwd(),
        report: (message) => process.stderr.write(`${message}\n`),
      });
      await worker.start();
      stayAlive();
      note(
        `worker ${settings.name} takes jobs for ${settings.labels.join(', ')} (up to ${settings.concurrency} at once)`,
      );
      const stop = () => {
        void worker.stop().finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  // What a worker runs under a monitor for a prompt job; not for people (see prompt-run.ts).
  program
    .command('prompt-exec <file>', { hidden: true })
    .description('Run the prompt in FILE, streaming the answer to stdout (a worker runs this)')
    .action(async (file: string) => {
      const { execPrompt } = await import('../remote/worker/prompt-run.js');
      process.exitCode = await execPrompt(file);
    });

  program
    .command('workers')
    .description('List the workers on Redis: labels, running and queued jobs, last heartbeat')
    .option('--redis <url>', 'the Redis the workers use; or BGJOBS_REDIS_URL')
    .option('--json', 'print the result as JSON')
    .action(async (options: JsonOption & { redis?: string }) => {
      const { checkRedisUrl } = await import('../remote/redis-url.js');
      const { listWorkers } = await import('../remote/workers-list.js');
      const raw = options.redis ?? process.env.BGJOBS_REDIS_URL;
      if (raw === undefined || raw === '') {
        throw new BgError(
          ErrorCode.config,
          'Pass --redis URL or set BGJOBS_REDIS_URL to list the workers.',
        );
      }
      const workers = await listWorkers(checkRedisUrl(raw));
      print(options, workers, (list) =>
        list.length === 0
          ? 'no workers'
          : formatTable(
              ['NAME', 'HOST', 'LABELS', 'RUNNING', 'QUEUED', 'SEEN', 'STATE'],
              list.map((w) => [
                w.name,
                w.host,
                w.labels.join(','),
                `${w.running}/${w.concurrency}`,
                String(w.queued),
                formatAge(w.last_seen),
                w.state,
              ]),
            ),
      );
    });
}
