/**
 * The bgjobs resource URIs: `bgjobs://jobs` (every job), `bgjobs://jobs/{id}` (one job's status)
 * and `bgjobs://jobs/{id}/output` (its latest output). `{id}` is a job id or a job's name.
 */
export const JOBS_URI = 'bgjobs://jobs';
export const JOB_URI_TEMPLATE = 'bgjobs://jobs/{id}';
export const OUTPUT_URI_TEMPLATE = 'bgjobs://jobs/{id}/output';

// Ids and names are URI-safe as they are (JOB_NAME_PATTERN), so a client subscribing to the URI
// it built by hand gets the same string this server sends.
export function jobUri(ref: string): string {
  return `${JOBS_URI}/${ref}`;
}

export function outputUri(ref: string): string {
  return `${jobUri(ref)}/output`;
}

export type ParsedUri =
  | { kind: 'jobs' }
  | { kind: 'job'; ref: string }
  | { kind: 'output'; ref: string }
  | { kind: 'agents' }
  | { kind: 'agent'; name: string };

/** Background agents: `bgjobs://agents` (all) and `bgjobs://agents/{name}` (one). */
export const AGENTS_URI = 'bgjobs://agents';
export const AGENT_URI_TEMPLATE = 'bgjobs://agents/{name}';
const AGENT_PATH = /^bgjobs:\/\/agents\/([A-Za-z][A-Za-z0-9._:-]{0,63})$/;

/** The workers on other machines, as `bgjobs workers --json` lists them. */
export const WORKERS_URI = 'bgjobs://workers';

export function agentUri(name: string): string {
  return `${AGENTS_URI}/${name}`;
}

const JOB_PATH = /^bgjobs:\/\/jobs\/([^/]+?)(\/output)?$/;

/** What a bgjobs URI names, or undefined when it is not one. */
export function parseUri(uri: string): ParsedUri | undefined {
  if (uri === JOBS_URI) return { kind: 'jobs' };
  if (uri === AGENTS_URI) return { kind: 'agents' };
  const agent = AGENT_PATH.exec(uri)?.[1];
  if (agent !== undefined) return { kind: 'agent', name: agent };
  const match = JOB_PATH.exec(uri);
  if (!match?.[1]) return undefined;
  let ref: string;
  try {
    ref = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  return match[2] ? { kind: 'output', ref } : { kind: 'job', ref };
}
