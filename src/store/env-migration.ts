import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type Database from 'better-sqlite3';
import { z } from 'zod';

import { writeEnvFile } from '../job-folder/env-file.js';
import { jobDir } from '../job-folder/paths.js';
import { agentEnvDir, agentEnvPath } from './agent-env.js';

/**
 * The user_version after the step that takes the caller's environment out of the database: the
 * 8th step of MIGRATIONS (labelled "9:" there, as the comments number them).
 */
export const ENV_LEAVES_DATABASE = 8;

const jobEnvRow = z.object({ id: z.string(), env: z.string() });
const agentEnvRow = z.object({ name: z.string(), caller_env: z.string() });

/**
 * Before migration 9 drops the stored environments: what a live job (queued, running, a service
 * between runs) or a defined agent still needs to start later is written to its 0600 file.
 * Finished jobs' environments are simply dropped.
 */
export function keepLiveEnvs(db: Database.Database): void {
  const home = dirname(db.name);
  const jobs = db
    .prepare(`SELECT id, env FROM jobs WHERE status IN ('queued', 'running') AND kind != 'remote'`)
    .all()
    .map((row) => jobEnvRow.parse(row));
  for (const job of jobs) {
    const dir = jobDir(home, job.id);
    if (existsSync(dir)) writeEnvFile(join(dir, 'env'), parseEnv(job.env));
  }
  const agents = db
    .prepare('SELECT name, caller_env FROM agents')
    .all()
    .map((row) => agentEnvRow.parse(row));
  if (agents.length > 0) mkdirSync(agentEnvDir(home), { recursive: true, mode: 0o700 });
  for (const agent of agents) {
    writeEnvFile(agentEnvPath(home, agent.name), parseEnv(agent.caller_env));
  }
}

/**
 * Dropping a column leaves its old bytes in free pages and in the WAL: rebuild the file and
 * empty the WAL so that no byte of a dropped environment stays on disk.
 */
export function scrubFreedPages(db: Database.Database): void {
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

function parseEnv(text: string): Record<string, string> {
  return z.record(z.string(), z.string()).parse(JSON.parse(text));
}
