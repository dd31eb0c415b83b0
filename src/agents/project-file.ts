import { parse as parseToml, TomlError } from 'smol-toml';
import { z, type ZodError } from 'zod';

import { BgError, ErrorCode } from '../api/errors.js';
import { portSchema, readySpecSchema, restartSpecSchema } from '../api/specs.js';
import { executeInputSchema } from '../api/start.js';
import { agentShape, agentSpecSchema, type AgentSpec } from './spec.js';

/** The default project file, at a project's root. */
export const PROJECT_FILE = 'bgjobs.toml';

/** A `[services.NAME]` table: the `execute` options a long-running service takes. */
export const serviceSpecSchema = z
  .object({
    command: z.string().min(1),
    cwd: z.string().min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
    ready: readySpecSchema.optional(),
    restart: restartSpecSchema.optional(),
    port: portSchema.optional(),
    timeout_s: z.number().int().positive().optional(),
    /** Run it on a worker with this label (see the README's "Workers on other machines"). */
    on: executeInputSchema.shape.on,
    env_from_worker: executeInputSchema.shape.env_from_worker,
  })
  .strict();
export type ServiceSpec = z.output<typeof serviceSpecSchema>;

// The table's key is the agent's name; a `name` key may repeat it.
const agentTableSchema = z.object({ ...agentShape, name: agentShape.name.optional() }).strict();

/** `http = { port, host }`: where the daemon serving this project listens for HTTP. */
export const httpTableSchema = z
  .object({
    port: z.number().int('a whole number').min(0).max(65_535, 'a port from 0 to 65535').optional(),
    host: z.string().trim().min(1, 'an address, e.g. "127.0.0.1"').optional(),
  })
  .strict();
export type HttpTable = z.output<typeof httpTableSchema>;

const fileSchema = z
  .object({
    services: z.record(agentShape.name, serviceSpecSchema).default({}),
    agents: z.record(agentShape.name, agentTableSchema).default({}),
    http: httpTableSchema.optional(),
  })
  .strict();

export interface ProjectFile {
  services: Record<string, ServiceSpec>;
  agents: Record<string, AgentSpec>;
  /** Absent when the file has no `http` table. */
  http?: HttpTable;
}

/**
 * Parses a bgjobs.toml. Any error — TOML syntax, an unknown key, a bad value — is one
 * `invalid_input` error that names the file, the line and the column.
 *
 * @example
 * parseProjectFile('[agents.tests]\ncommand = "npm test"\nwatch = ["src/**"]\n', 'bgjobs.toml');
 */
export function parseProjectFile(text: string, file: string): ProjectFile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const what =
        error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
      throw fileError(file, error.line, error.column, what);
    }
    throw error;
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw zodFileError(parsed.error, text, file);
  const agents: Record<string, AgentSpec> = {};
  for (const [name, table] of Object.entries(parsed.data.agents)) {
    const spec = agentSpecSchema.safeParse({ ...table, name });
    if (!spec.success) {
      throw zodFileError(spec.error, text, file, ['agents', name]);
    }
    if (table.name !== undefined && table.name !== name) {
      const at = locate(text, ['agents', name, 'name']);
      throw fileError(
        file,
        at.line,
        at.column,
        `name "${table.name}" differs from the table's [agents.${name}]`,
      );
    }
    agents[name] = spec.data;
  }
  const { services, http } = parsed.data;
  return { services, agents, ...(http !== undefined && { http }) };
}

function zodFileError(error: ZodError, text: string, file: string, prefix: string[] = []): BgError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)];
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    path.push(issue.keys[0] ?? '');
    message = `unknown key "${issue.keys.join('", "')}"`;
  }
  const at = locate(text, path);
  return fileError(file, at.line, at.column, `${path.join('.')}: ${message}`);
}

function fileError(file: string, line: number, column: number, what: string): BgError {
  return new BgError(
    ErrorCode.invalidInput,
    `${file}:${line}:${column}: ${what}. Nothing was changed.`,
    {
      data: { file, line, column },
    },
  );
}

/**
 * Where a key path sits in the text, as well as a reader can tell: the key's line within its
 * `[table.NAME]`, else the table's header, else the start of the file.
 */
export function locate(text: string, path: readonly string[]): { line: number; column: number } {
  const lines = text.split('\n');
  const [table, name, key] = path;
  const plain = lines.findIndex((line) =>
    new RegExp(`^\\s*\\[\\s*${escape(table ?? '')}\\s*\\]`).test(line),
  );
  // A key of a plain top-level table: `[http]`, then `port = …` below it.
  if (plain >= 0 && name !== undefined) {
    const keyLine = new RegExp(`^\\s*["']?${escape(name)}["']?\\s*=`);
    for (let i = plain + 1; i < lines.length && !/^\s*\[/.test(lines[i] ?? ''); i++) {
      if (keyLine.test(lines[i] ?? '')) return { line: i + 1, column: firstColumn(lines[i]) };
    }
  }
  const header = new RegExp(
    `^\\s*\\[\\s*${escape(table ?? '')}\\s*\\.\\s*["']?${escape(name ?? '')}["']?\\s*\\]`,
  );
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) {
    const topKey = new RegExp(`^\\s*${escape(table ?? '')}\\s*=`);
    const index = lines.findIndex(
      (line) => topKey.test(line) || line.trim().startsWith(`[${table ?? ''}`),
    );
    return index < 0
      ? { line: 1, column: 1 }
      : { line: index + 1, column: firstColumn(lines[index]) };
  }
  if (key !== undefined) {
    const keyLine = new RegExp(`^\\s*["']?${escape(key)}["']?\\s*=`);
    for (let i = start + 1; i < lines.length && !/^\s*\[/.test(lines[i] ?? ''); i++) {
      if (keyLine.test(lines[i] ?? '')) return { line: i + 1, column: firstColumn(lines[i]) };
    }
  }
  return { line: start + 1, column: firstColumn(lines[start]) };
}

function firstColumn(line: string | undefined): number {
  return (line ?? '').search(/\S|$/) + 1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
