import { ErrorCode, isBgError } from '../../api/errors.js';
import type { CallOptions, JobsApi } from '../../api/contract.js';
import type { JobSummary } from '../../api/listing.js';
import { MAX_READ_BYTES } from '../../api/read.js';

/**
 * Reads that give what the originals gave — a job's whole output, its full command — out of the
 * `JobsApi`, which reads in windows and shortens commands in listings.
 */

// Enough for any per-stream cap; a job writing faster than we read cannot keep us here forever.
const MAX_READS = 64;

/**
 * Everything a job wrote that is still kept, bytes as written (no ANSI stripping), as the
 * originals captured it through a pipe. A job whose logs were evicted reads as empty.
 */
export async function readAllOutput(
  api: JobsApi,
  jobId: string,
  options: CallOptions,
): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let offsets: { stdout_offset?: number; stderr_offset?: number } = {};
  try {
    for (let read = 0; read < MAX_READS; read++) {
      const chunk = await api.output(
        { job_id: jobId, stream: 'both', max_bytes: MAX_READ_BYTES, raw: true, ...offsets },
        options,
      );
      stdout += chunk.stdout;
      stderr += chunk.stderr;
      if (!chunk.more || !chunk.stdout_read || !chunk.stderr_read) break;
      offsets = {
        stdout_offset: chunk.stdout_read.next_offset,
        stderr_offset: chunk.stderr_read.next_offset,
      };
    }
  } catch (error) {
    if (!isUnknownJob(error)) throw error;
  }
  return { stdout, stderr };
}

/** Every job there is (up to the API's limit), each with its full command. */
export async function listAllJobs(api: JobsApi, options: CallOptions): Promise<JobSummary[]> {
  const { jobs } = await api.list({ limit: 1000 }, options);
  return Promise.all(
    jobs.map(async (job) => {
      // list shortens long commands with an ellipsis; status has them whole.
      if (!job.command.endsWith('…')) return job;
      try {
        return { ...job, command: (await api.status({ job_id: job.job_id }, options)).command };
      } catch (error) {
        if (isUnknownJob(error)) return job;
        throw error;
      }
    }),
  );
}

/** The API found no such job, or the reference could not be one (an old UUID, say). */
export function isUnknownJob(error: unknown): boolean {
  return (
    isBgError(error) && (error.code === ErrorCode.notFound || error.code === ErrorCode.invalidInput)
  );
}
