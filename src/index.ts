// The public API of the bgjobs package, for embedders and tests.
export { loadConfig, DEFAULTS, SETTINGS } from './config.js';
export type { Config, CallerConfig } from './config.js';
export { BgError, ErrorCode, isBgError } from './api/errors.js';
export { Engine } from './engine/engine.js';
export { API_METHODS, INPUT_SCHEMAS, OUTPUT_SCHEMAS } from './api/contract.js';
export { executeInputSchema, executeOutputSchema } from './api/start.js';
export {
  listInputSchema,
  listOutputSchema,
  statusInputSchema,
  statusOutputSchema,
} from './api/listing.js';
export {
  outputInputSchema,
  outputOutputSchema,
  tailInputSchema,
  tailOutputSchema,
  searchInputSchema,
  searchOutputSchema,
} from './api/read.js';
export {
  interactInputSchema,
  interactOutputSchema,
  killInputSchema,
  killOutputSchema,
  waitInputSchema,
  waitOutputSchema,
  removeInputSchema,
  removeOutputSchema,
} from './api/control.js';
export type { JobsApi, Caller, CallOptions, Progress } from './api/contract.js';
export type { ExecuteInput, ExecuteResult } from './api/start.js';
export type { ListInput, ListResult, StatusInput, StatusResult } from './api/listing.js';
export type {
  OutputInput,
  OutputResult,
  TailInput,
  TailResult,
  SearchInput,
  SearchResult,
} from './api/read.js';
export type {
  InteractInput,
  InteractResult,
  KillInput,
  KillResult,
  WaitInput,
  WaitResult,
  RemoveInput,
  RemoveResult,
} from './api/control.js';
export type { JobStatus } from './api/job.js';
export { connect, DaemonClient } from './daemon/client.js';
export { startDaemon, stopDaemon, daemonStatus } from './daemon/lifecycle.js';
export { createServer } from './mcp/server.js';
