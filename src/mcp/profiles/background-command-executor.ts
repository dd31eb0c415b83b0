import { z } from 'zod';

import type { CallOptions, JobsApi } from '../../api/contract.js';
import { isFinal } from '../../api/job.js';
import { defineProfileTool, type Profile, type ProfileStyle, type Reply } from './profile-tool.js';
import { pythonJsonDumps, pythonLocalIsoformat, pythonReturncode } from './python.js';
import { isUnknownJob, listAllJobs, readAllOutput } from './reads.js';
import { isForgotten, profileRetentionMs } from './retention.js';

/**
 * Drop-in for the "background-command-executor" MCP server (Python, FastMCP): four tools whose
 * results are JSON text (`json.dumps(..., indent=2)`) with no structured content, and whose
 * failures are values (`success: false`, `"error": "Process not found"`), never tool errors.
 * As there, a running command shows no output; once it has finished, its whole output does.
 *
 * As there, `list_background_processes` lists active commands only, and a finished command is
 * forgotten an hour after it ended (BGJOBS_PROFILE_RETENTION, see retention.ts): asked for then,
 * it is removed and answered "Process not found".
 *
 * Not copied: cleanup stops the whole process tree, not only the shell; commands outlive this
 * server; and `ref_id` is a bgjobs job id (usable with bgjobs' own tools and CLI), not a UUID.
 */

const style: ProfileStyle = { serialize: pythonJsonDumps, structured: false };

const refIdSchema = z.string().describe('The ref_id execute_command_background returned.');

// ── execute_command_background ─────────────────────────────────────────────────────────────
const executeResult = z.object({
  success: z.boolean(),
  ref_id: z.string().nullable(),
  error: z.string().nullable(),
});

const executeTool = defineProfileTool(style, {
  name: 'execute_command_background',
  title: 'Execute Command in Background',
  description: [
    'Run a shell command in the background and return at once with a ref_id; fetch its result',
    'later with get_command_background_result. Pipes, redirections and && work. The command keeps',
    'running, with its output kept, even if this server restarts.',
  ].join(' '),
  inputSchema: z.object({ cmd: z.string().describe('The shell command line to run.') }),
  outputSchema: executeResult,
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  run: async (api, { cmd }, { options, describe }) => {
    const failed = (message: string) => ({
      value: {
        success: false,
        ref_id: null,
        error: `Failed to start background command: ${message}`,
      },
    });
    if (cmd === '') return failed('Command cannot be empty');
    try {
      const job = await api.execute({ command: cmd }, options);
      return { value: { success: true, ref_id: job.job_id, error: null } };
    } catch (error) {
      return failed(describe(error));
    }
  },
});

// ── get_command_background_result ──────────────────────────────────────────────────────────
const resultSchema = z.union([
  // Finished: everything, in the original's key order.
  z.object({
    running: z.literal(false),
    cmd: z.string(),
    created_at: z.string(),
    output: z.string(),
    error: z.string(),
    returncode: z.number(),
    finished_at: z.string(),
  }),
  // Still running: no output yet.
  z.object({ running: z.literal(true), cmd: z.string(), created_at: z.string() }),
  // Unknown ref_id.
  z.object({ error: z.literal('Process not found'), running: z.literal(false), cmd: z.null() }),
  // The lookup itself failed.
  z.object({
    running: z.literal(false),
    cmd: z.null(),
    output: z.literal(''),
    error: z.string(),
    returncode: z.null(),
  }),
]);

type ResultValue = z.input<typeof resultSchema>;

const resultTool = defineProfileTool(style, {
  name: 'get_command_background_result',
  title: 'Get Background Command Result',
  description: [
    'The state of a command started with execute_command_background: whether it is running and,',
    'once it has finished, its output, error output and return code.',
  ].join(' '),
  inputSchema: z.object({ ref_id: refIdSchema }),
  outputSchema: resultSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async (api, { ref_id }, { options, describe }): Promise<Reply<ResultValue>> => {
    try {
      const job = await api.status({ job_id: ref_id }, options);
      if (isForgotten(job.ended_at, retentionOf(options))) {
        await forget(api, job.job_id, options);
        return { value: { error: 'Process not found', running: false, cmd: null } };
      }
      const known = {
        cmd: job.command,
        created_at: pythonLocalIsoformat(Date.parse(job.created_at)),
      };
      if (!isFinal(job.status)) return { value: { running: true, ...known } };
      const { stdout, stderr } = await readAllOutput(api, job.job_id, options);
      return {
        value: {
          running: false,
          ...known,
          output: stdout,
          error: stderr,
          returncode: pythonReturncode(job),
          finished_at: pythonLocalIsoformat(job.ended_at ? Date.parse(job.ended_at) : Date.now()),
        },
      };
    } catch (error) {
      if (isUnknownJob(error)) {
        return { value: { error: 'Process not found', running: false, cmd: null } };
      }
      const message = `Failed to get background command result: ${describe(error)}`;
      return { value: { running: false, cmd: null, output: '', error: message, returncode: null } };
    }
  },
});

// ── list_background_processes ──────────────────────────────────────────────────────────────
const listResult = z.union([
  z.object({
    success: z.literal(true),
    processes: z.array(
      z.object({
        ref_id: z.string(),
        cmd: z.string(),
        running: z.boolean(),
        created_at: z.string(),
      }),
    ),
    count: z.number(),
  }),
  z.object({
    success: z.literal(false),
    processes: z.array(z.never()),
    count: z.literal(0),
    error: z.string(),
  }),
]);

type ListValue = z.input<typeof listResult>;

const listTool = defineProfileTool(style, {
  name: 'list_background_processes',
  title: 'List Background Processes',
  description: 'List the background commands still running (or waiting to), oldest first.',
  inputSchema: z.object({}),
  outputSchema: listResult,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async (api, _input, { options, describe }): Promise<Reply<ListValue>> => {
    try {
      // The original lists in the order the commands started.
      const jobs = (await listAllJobs(api, options)).reverse();
      const processes = jobs
        .filter((job) => !isFinal(job.status))
        .map((job) => ({
          ref_id: job.job_id,
          cmd: job.command,
          running: !isFinal(job.status),
          created_at: pythonLocalIsoformat(Date.parse(job.created_at)),
        }));
      return { value: { success: true, processes, count: processes.length } };
    } catch (error) {
      const message = `Failed to list processes: ${describe(error)}`;
      return { value: { success: false, processes: [], count: 0, error: message } };
    }
  },
});

// ── cleanup_background_process ─────────────────────────────────────────────────────────────
const cleanupResult = z.union([
  z.object({ success: z.boolean(), ref_id: z.string(), message: z.string() }),
  z.object({ success: z.literal(false), ref_id: z.string(), error: z.string() }),
]);

type CleanupValue = z.input<typeof cleanupResult>;

const cleanupTool = defineProfileTool(style, {
  name: 'cleanup_background_process',
  title: 'Clean Up Background Process',
  description: [
    'Forget a background command: stop it if it still runs (its whole process tree: SIGTERM,',
    'then SIGKILL after a grace period) and delete its record and output.',
  ].join(' '),
  inputSchema: z.object({ ref_id: z.string().describe('The ref_id of the command to clean up.') }),
  outputSchema: cleanupResult,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async (api, { ref_id }, { options, describe }): Promise<Reply<CleanupValue>> => {
    try {
      const job = await api.status({ job_id: ref_id }, options);
      if (isForgotten(job.ended_at, retentionOf(options))) {
        await forget(api, job.job_id, options);
        return { value: { success: false, ref_id, message: 'Process not found' } };
      }
      await api.remove({ job_id: ref_id, force: true }, options);
      return { value: { success: true, ref_id, message: 'Process cleaned up successfully' } };
    } catch (error) {
      if (isUnknownJob(error)) {
        return { value: { success: false, ref_id, message: 'Process not found' } };
      }
      const message = `Failed to cleanup process: ${describe(error)}`;
      return { value: { success: false, ref_id, error: message } };
    }
  },
});

function retentionOf(options: CallOptions): number | null {
  return profileRetentionMs(options.caller?.env ?? {});
}

/** Removes a command the original would have cleaned up by now; gone already is fine. */
async function forget(api: JobsApi, jobId: string, options: CallOptions): Promise<void> {
  try {
    await api.remove({ job_id: jobId }, options);
  } catch (error) {
    if (!isUnknownJob(error)) throw error;
  }
}

export const backgroundCommandExecutor: Profile = {
  serverName: 'background-command-executor',
  checkSettings: (env) => void profileRetentionMs(env),
  tools: [executeTool, resultTool, listTool, cleanupTool],
};
