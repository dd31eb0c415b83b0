// The public API of the bgjobs package, for embedders and tests.
export { loadConfig, DEFAULTS, SETTINGS } from './config.js';
export type { Config, CallerConfig } from './config.js';
export { BgError, ErrorCode, isBgError } from './errors.js';
export { Engine } from './jobs/engine.js';
export {
  API_METHODS,
  INPUT_SCHEMAS,
  OUTPUT_SCHEMAS,
  executeInputSchema,
  executeOutputSchema,
  listInputSchema,
  listOutputSchema,
  statusInputSchema,
  statusOutputSchema,
  outputInputSchema,
  outputOutputSchema,
  tailInputSchema,
  tailOutputSchema,
  searchInputSchema,
  searchOutputSchema,
  interactInputSchema,
  interactOutputSchema,
  killInputSchema,
  killOutputSchema,
  waitInputSchema,
  waitOutputSchema,
  removeInputSchema,
  removeOutputSchema,
} from './jobs/api.js';
export type {
  JobsApi,
  Caller,
  CallOptions,
  Progress,
  ExecuteInput,
  ExecuteResult,
  ListInput,
  ListResult,
  StatusInput,
  StatusResult,
  OutputInput,
  OutputResult,
  TailInput,
  TailResult,
  SearchInput,
  SearchResult,
  InteractInput,
  InteractResult,
  KillInput,
  KillResult,
  WaitInput,
  WaitResult,
  RemoveInput,
  RemoveResult,
} from './jobs/api.js';
export type { JobStatus } from './jobs/model.js';
export { connect, DaemonClient } from './daemon/client.js';
export { startDaemon, stopDaemon, daemonStatus } from './daemon/lifecycle.js';
export { createServer } from './mcp/server.js';
