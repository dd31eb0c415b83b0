/**
 * Versioned schema migrations, applied in order inside one transaction each; the version
 * is SQLite's `user_version`. Append new steps; never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     name TEXT,
     kind TEXT NOT NULL,
     command TEXT NOT NULL,
     cwd TEXT NOT NULL,
     env TEXT NOT NULL,
     env_overrides TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     ended_at INTEGER,
     pid INTEGER,
     pid_start INTEGER,
     monitor_pid INTEGER,
     monitor_start INTEGER,
     exit_code INTEGER,
     signal TEXT,
     reason TEXT,
     stop_request TEXT,
     timeout_s INTEGER,
     max_output_bytes INTEGER NOT NULL,
     stdin_closed INTEGER NOT NULL DEFAULT 0,
     stdout_bytes INTEGER NOT NULL DEFAULT 0,
     stderr_bytes INTEGER NOT NULL DEFAULT 0,
     logs_evicted INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX jobs_status_created ON jobs (status, created_at);
   CREATE INDEX jobs_created ON jobs (created_at);
   CREATE INDEX jobs_name ON jobs (name) WHERE name IS NOT NULL;
   CREATE TABLE cursors (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     reader TEXT NOT NULL,
     stream TEXT NOT NULL,
     offset INTEGER NOT NULL,
     PRIMARY KEY (job_id, reader, stream)
   );`,
  `ALTER TABLE jobs ADD COLUMN ready TEXT;
   ALTER TABLE jobs ADD COLUMN ready_state TEXT;
   ALTER TABLE jobs ADD COLUMN ready_at INTEGER;
   ALTER TABLE jobs ADD COLUMN ready_match TEXT;
   ALTER TABLE jobs ADD COLUMN restart TEXT;
   ALTER TABLE jobs ADD COLUMN runs INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN unstable_restarts INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN restart_delay_ms INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN run_started_at INTEGER;
   ALTER TABLE jobs ADD COLUMN next_restart_at INTEGER;
   ALTER TABLE jobs ADD COLUMN last_exit_code INTEGER;
   ALTER TABLE jobs ADD COLUMN last_signal TEXT;
   ALTER TABLE jobs ADD COLUMN port INTEGER;
   ALTER TABLE jobs ADD COLUMN pty TEXT;
   ALTER TABLE jobs ADD COLUMN lifetime TEXT NOT NULL DEFAULT 'persistent';
   ALTER TABLE jobs ADD COLUMN session_id TEXT;
   ALTER TABLE jobs ADD COLUMN project TEXT;
   CREATE INDEX jobs_project ON jobs (project, created_at);`,
  `ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN after TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE jobs ADD COLUMN retry_at INTEGER;
   ALTER TABLE jobs ADD COLUMN llm TEXT;
   ALTER TABLE jobs ADD COLUMN llm_result TEXT;
   CREATE INDEX jobs_queue ON jobs (status, priority DESC, created_at);`,
  // 5: a session job's owner is typed {pid, start}, no longer an "mcp:<pid>:<start>" string.
  `ALTER TABLE jobs ADD COLUMN owner TEXT;
   UPDATE jobs SET owner = json_object(
       'pid', CAST(substr(session_id, 5, instr(substr(session_id, 5), ':') - 1) AS INTEGER),
       'start', CAST(substr(session_id, 5 + instr(substr(session_id, 5), ':')) AS INTEGER))
     WHERE session_id GLOB 'mcp:[0-9]*:[0-9]*';
   ALTER TABLE jobs DROP COLUMN session_id;`,
  // 6: a stop is a durable intent: when it escalates to SIGKILL, for the next daemon to finish.
  `ALTER TABLE jobs ADD COLUMN stop_deadline INTEGER;`,
  // 7: a remote job's routing and worker (BullMQ workers).
  `ALTER TABLE jobs ADD COLUMN remote TEXT NOT NULL DEFAULT 'null';`,
  // 8: background agents: their definitions, their runs (jobs), and what a project file started.
  `CREATE TABLE agents (
     name TEXT PRIMARY KEY,
     spec TEXT NOT NULL,
     caller_env TEXT NOT NULL,
     state TEXT NOT NULL,
     error TEXT,
     source TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     last_fire_at INTEGER,
     failures INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE agent_runs (
     job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
     agent TEXT NOT NULL,
     trigger TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX agent_runs_agent ON agent_runs (agent, created_at);
   CREATE TABLE project_services (
     source TEXT NOT NULL,
     name TEXT NOT NULL,
     hash TEXT NOT NULL,
     job_id TEXT NOT NULL,
     PRIMARY KEY (source, name)
   );`,
  // 9: the caller's environment leaves the database. What live jobs and defined agents still
  // need is written to 0600 files first (see env-migration.ts); the freed pages are scrubbed.
  `ALTER TABLE jobs DROP COLUMN env;
   ALTER TABLE agents DROP COLUMN caller_env;`,
];
