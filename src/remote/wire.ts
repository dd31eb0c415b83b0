import { z } from 'zod';

/**
 * Everything that crosses the wire between a daemon and its workers, in one versioned module:
 * the Redis key names, the BullMQ job payload, the messages of a run's event stream, its output
 * chunks, the control messages a worker takes, and a worker's heartbeat. Every message is
 * bounded in size; a reader parses each one with these schemas and drops what does not fit.
 *
 * A change that an older peer cannot read bumps WIRE_VERSION; a peer refuses a payload of
 * another version with a message that says which versions meet.
 */
export const WIRE_VERSION = 1;
/**
 * The version of a payload that carries a prompt (`llm`). Shell payloads stay at WIRE_VERSION,
 * so workers of either version take them; a worker older than prompts refuses a prompt payload
 * by its version, instead of running its summary line as a shell command.
 */
export const PROMPT_WIRE_VERSION = 2;
/**
 * The version of a payload that declares a `port`, which its worker checks is free on its own
 * host before it starts the run: a worker older than that refuses it, instead of starting it
 * without the check.
 */
export const PORT_WIRE_VERSION = 3;
/** The payload versions this side reads. */
export const WIRE_VERSIONS: readonly number[] = [
  WIRE_VERSION,
  PROMPT_WIRE_VERSION,
  PORT_WIRE_VERSION,
];

/** Bytes of one output chunk in a run's output stream. */
export const MAX_CHUNK_BYTES = 256 * 1024;
/** Bytes of a job's command, of its env overrides (names and values together), of one input. */
export const MAX_COMMAND_BYTES = 64 * 1024;
export const MAX_ENV_BYTES = 64 * 1024;
export const MAX_INPUT_BYTES = 64 * 1024;
/** Characters of a prompt, and of its system prompt, as the `prompt` tool takes them. */
export const MAX_PROMPT_CHARS = 1_000_000;
export const MAX_SYSTEM_CHARS = 200_000;
/** Entries a run's output stream holds at most, whatever their bytes (a backstop). */
export const MAX_STREAM_ENTRIES = 20_000;

/** A worker label: what `on` names. Lowercase, so `GPU` and `gpu` are never two queues. */
export const labelSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/,
    'a label is 1 to 63 lowercase letters, digits, "_", "." or "-", starting with a letter or digit',
  );
export const workerNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
    'a worker name is 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit',
  );
/**
 * One run of one job of one daemon: `<daemon>.<job id>.<run>`, where the run counts every start
 * of the job (a retry's, a service's restart). Also the BullMQ job id.
 */
export const runKeySchema = z.string().regex(/^[a-z0-9]{12}\.[a-z0-9]{8}\.\d{1,9}$/);
const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

/** Where each piece lives in Redis, under one prefix (`bgjobs` unless told otherwise). */
export function wireKeys(prefix: string) {
  return {
    /** BullMQ's prefix; the queue of a label is named `on-<label>` under it. */
    bullPrefix: `${prefix}:bull`,
    queueName: (label: string) => `on-${label}`,
    /** Hash: the run's worker, what it has sent so far, and the daemon's cancel/abandon marks. */
    run: (run: string) => `${prefix}:run:${run}`,
    /** Stream of the run's events: start, ready, end. */
    events: (run: string) => `${prefix}:run:${run}:ev`,
    /** Stream of the run's output chunks, one stream per output stream. */
    output: (run: string, stream: OutputStream) => `${prefix}:run:${run}:${stream}`,
    /** Stream of control messages for one worker. */
    control: (worker: string) => `${prefix}:worker:${worker}:ctl`,
    /** Hash: a worker's heartbeat and what it reports about itself. */
    worker: (worker: string) => `${prefix}:worker:${worker}`,
    /** String: which process holds a worker name (host, home, pid), refreshed with each beat. */
    workerOwner: (worker: string) => `${prefix}:worker:${worker}:owner`,
    /** Set of every worker name ever seen, for `bgjobs workers`. */
    workers: `${prefix}:workers`,
    /** Stream a daemon writes to itself to wake its blocked reader when it follows a new run. */
    wake: (daemon: string) => `${prefix}:daemon:${daemon}:wake`,
  };
}
export type WireKeys = ReturnType<typeof wireKeys>;

export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

const portField = z.number().int().min(1).max(65535);

/** The readiness condition as a worker evaluates it (port and URL on the worker's host). */
export const wireReadySchema = z.object({
  pattern: z.string().max(1000).optional(),
  port: portField.optional(),
  url: z.string().max(2000).optional(),
  fail_pattern: z.string().max(1000).optional(),
});

/**
 * A prompt for the worker to hand to a model. It runs with the provider settings of the
 * worker's environment (keys, base URLs, BGJOBS_DEFAULT_MODEL when `model` is null); none of
 * the caller's travel.
 */
export const wirePromptSchema = z.object({
  model: z.string().min(1).max(200).nullable(),
  prompt: z.string().min(1).max(MAX_PROMPT_CHARS),
  system: z.string().max(MAX_SYSTEM_CHARS).nullable(),
  params: z.record(z.string(), z.unknown()),
});
export type WirePrompt = z.infer<typeof wirePromptSchema>;

/** The BullMQ job's data: everything a worker needs to run one run of a job. */
export const runPayloadSchema = z
  .object({
    v: z.union([
      z.literal(WIRE_VERSION),
      z.literal(PROMPT_WIRE_VERSION),
      z.literal(PORT_WIRE_VERSION),
    ]),
    run: runKeySchema,
    job_id: z.string().regex(/^[a-z0-9]{8}$/),
    daemon: z.string().regex(/^[a-z0-9]{12}$/),
    label: labelSchema,
    command: z.string().min(1).max(MAX_COMMAND_BYTES),
    /** A directory on the worker's machine, or null for the worker's own default. */
    cwd: z.string().max(4096).nullable(),
    /** The caller's overrides: they travel through Redis as they are (see the README). */
    env: z.record(envNameSchema, z.string()),
    /** Variables the worker supplies from its own environment (secrets that stay there). */
    env_from_worker: z.array(envNameSchema).max(100),
    pty: z.object({ cols: z.number().int(), rows: z.number().int() }).nullable(),
    timeout_s: z.number().positive().nullable(),
    max_output_bytes: z.number().int().min(1024),
    ready: wireReadySchema.nullable(),
    /** A declared port: the worker refuses to start the run while something listens on it. */
    port: portField.nullable().default(null),
    /** A prompt job: the worker runs this prompt (under a monitor, like any run) for `command`. */
    llm: wirePromptSchema.nullable().default(null),
    enqueued_at: z.number(),
  })
  .refine((p) => envBytes(p.env) <= MAX_ENV_BYTES, {
    message: `env overrides take at most ${MAX_ENV_BYTES} bytes`,
  })
  .refine((p) => (p.llm !== null) === (p.v === PROMPT_WIRE_VERSION), {
    message: `a payload carries a prompt exactly when its version is ${PROMPT_WIRE_VERSION}`,
  })
  .refine((p) => (p.port !== null) === (p.v === PORT_WIRE_VERSION), {
    message: `a payload declares a port exactly when its version is ${PORT_WIRE_VERSION}`,
  });
export type RunPayload = z.infer<typeof runPayloadSchema>;

export function envBytes(env: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(env)) bytes += name.length + Buffer.byteLength(value);
  return bytes;
}

const workerRefShape = {
  worker: workerNameSchema,
  host: z.string().max(255),
};

/** What a run's event stream carries. Each is one stream entry with a `m` field of JSON. */
export const runEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    ...workerRefShape,
    pid: z.number().int().nullable(),
    at: z.number(),
  }),
  z.object({
    type: z.literal('ready'),
    state: z.enum(['ready', 'failed']),
    match: z.string().max(1000).nullable(),
    at: z.number(),
  }),
  /** The TCP ports the run's processes listen on, on the worker's host, each time they change. */
  z.object({
    type: z.literal('ports'),
    ports: z.array(portField).max(64),
    at: z.number(),
  }),
  z.object({
    type: z.literal('end'),
    ...workerRefShape,
    exit_code: z.number().int().nullable(),
    signal: z.string().max(32).nullable(),
    /** Why the worker stopped it, if it did: a kill asked for, or its timeout on the worker. */
    stop: z.enum(['kill', 'timeout']).nullable(),
    /** Set when the worker could not start it or lost track of it: the reason in words. */
    error: z.string().max(2000).nullable(),
    stdout_bytes: z.number().int().min(0),
    stderr_bytes: z.number().int().min(0),
    at: z.number(),
  }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;

/** One output chunk: the bytes `d` that the file holds at byte offset `o`. */
export interface OutputChunk {
  offset: number;
  data: Buffer;
}

export function parseOutputChunk(fields: Map<string, Buffer>): OutputChunk | undefined {
  const offset = Number(fields.get('o')?.toString('latin1'));
  const data = fields.get('d');
  if (!Number.isSafeInteger(offset) || offset < 0 || data === undefined) return undefined;
  if (data.length > MAX_CHUNK_BYTES) return undefined;
  return { offset, data };
}

/** What a worker takes on its control stream. */
export const controlSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('input'),
    run: runKeySchema,
    data: z.string().max(MAX_INPUT_BYTES * 2),
  }),
  z.object({ op: z.literal('close_stdin'), run: runKeySchema }),
  z.object({
    op: z.literal('kill'),
    run: runKeySchema,
    signal: z.string().regex(/^SIG[A-Z0-9]+$/),
    grace_ms: z.number().int().min(0).max(3_600_000),
    reason: z.enum(['kill', 'timeout']),
  }),
]);
export type ControlMessage = z.infer<typeof controlSchema>;

/** A worker's heartbeat hash, as `bgjobs workers` reads it. Times are the worker's clock. */
export const workerInfoSchema = z.object({
  v: z.coerce.number(),
  name: workerNameSchema,
  host: z.string().max(255),
  labels: z.string().max(4096),
  concurrency: z.coerce.number().int(),
  running: z.coerce.number().int(),
  pid: z.coerce.number().int(),
  beat: z.coerce.number().int(),
  last_seen: z.coerce.number(),
  started_at: z.coerce.number(),
  stopped: z.enum(['0', '1']).default('0'),
});
export type WorkerInfo = z.infer<typeof workerInfoSchema>;

/** Parses one stream entry's JSON message with SCHEMA; undefined when it does not fit. */
export function parseMessage<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (text === undefined || text.length > 64 * 1024) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
