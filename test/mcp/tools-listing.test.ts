// Proves: the server lists exactly the bgjobs tools (the API's, and agent_start/list/stop), each with a description that teaches
// its use (the service abilities included), an input schema and an output schema whose properties
// are those of the api.ts schemas, and honest annotations; and it gives the client short
// instructions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';

import {
  API_METHODS,
  INPUT_SCHEMAS,
  OUTPUT_SCHEMAS,
  type ApiMethod,
} from '../../src/api/contract.js';
import { executeManyInputSchema, executeManyOutputSchema } from '../../src/api/start.js';
import { LISTING_BUDGET_KB, listingBytes } from '../helpers/listing-size.js';
import { type Harness, openHarness } from './harness.js';

// The execute tool takes the API's execute and more: several jobs, and the wait that follows.
const TOOL_INPUTS = { ...INPUT_SCHEMAS, execute: executeManyInputSchema };
// kill and remove say their message in the text only.
const TOOL_OUTPUTS = {
  ...OUTPUT_SCHEMAS,
  execute: executeManyOutputSchema,
  kill: OUTPUT_SCHEMAS.kill.omit({ message: true }),
  remove: OUTPUT_SCHEMAS.remove.omit({ message: true }),
};

const READ_ONLY: readonly ApiMethod[] = ['list', 'status', 'output', 'tail', 'search', 'wait'];
const DESTRUCTIVE: readonly ApiMethod[] = ['execute', 'interact', 'kill', 'remove'];
const IDEMPOTENT: readonly ApiMethod[] = ['kill', 'remove'];

describe('tools/list', () => {
  let h: Harness;
  beforeAll(async () => {
    // Every field of api.ts is listed where workers are configured (see tools-listing-workers).
    const caller = { env: { BGJOBS_REDIS_URL: 'redis://:unused@127.0.0.1:9' } };
    h = await openHarness('legacy', { outputSchemas: true, caller });
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists exactly the tools of the API, and the three of background agents', async () => {
    const { tools } = await h.client.listTools();
    const agentTools = ['agent_list', 'agent_start', 'agent_stop'];
    expect(tools.map((t) => t.name).sort()).toEqual([...API_METHODS, ...agentTools].sort());
  });

  it.each(API_METHODS)('%s has the api.ts input and output schemas', async (name) => {
    const tool = await findTool(h, name);
    expect(tool.inputSchema.type).toBe('object');
    expect(Object.keys(tool.inputSchema.properties ?? {}).sort()).toEqual(
      Object.keys(TOOL_INPUTS[name].shape).sort(),
    );
    expect(tool.outputSchema?.type).toBe('object');
    expect(Object.keys(tool.outputSchema?.properties ?? {}).sort()).toEqual(
      Object.keys(TOOL_OUTPUTS[name].shape).sort(),
    );
    // Every field says what it is for, where api.ts describes it.
    const described = Object.entries(TOOL_INPUTS[name].shape as Record<string, z.ZodType>).filter(
      ([, s]) => s.description,
    );
    for (const [field] of described) {
      const property = tool.inputSchema.properties?.[field] as { description?: string } | undefined;
      expect(property?.description, `${name}.${field}`).toBeTruthy();
    }
  });

  it.each(API_METHODS)('%s has honest annotations and a title', async (name) => {
    const tool = await findTool(h, name);
    const a = tool.annotations ?? {};
    expect(tool.title).toBeTruthy();
    expect(a.readOnlyHint ?? false).toBe(READ_ONLY.includes(name));
    if (!READ_ONLY.includes(name)) {
      expect(a.destructiveHint).toBe(DESTRUCTIVE.includes(name));
      expect(a.idempotentHint).toBe(IDEMPOTENT.includes(name));
    }
    expect(a.openWorldHint).toBe(name === 'execute' || name === 'interact' || name === 'prompt');
  });

  it('teaches the working pattern in its descriptions', async () => {
    const { tools } = await h.client.listTools();
    const description = (name: string): string =>
      tools.find((t) => t.name === name)?.description ?? '';
    expect(description('execute')).toMatch(/at once/);
    expect(description('execute')).toMatch(/wait_s/);
    expect(description('execute')).toMatch(/`wait`/);
    expect(description('wait')).toMatch(/instead of polling/i);
    expect(description('output')).toMatch(/new_only/);
    expect(description('interact')).toMatch(/python3 -i/);
    expect(description('kill')).toMatch(/Stop the jobs you started/);
    // The service abilities, where an agent looks for them.
    expect(description('execute')).toMatch(/wait_until:"ready"/);
    expect(description('execute')).toMatch(/`name`/);
    expect(description('execute')).toMatch(/`restart`/);
    expect(description('execute')).toMatch(/`jobs`/);
    expect(description('wait')).toMatch(/until:"ready"/);
    expect(description('interact')).toMatch(/`keys`/);
    expect(description('list')).toMatch(/all:true/);
  });

  it('gives short instructions: keep working, wait rather than poll, read what is new, stop what you started', () => {
    const instructions = h.client.getInstructions() ?? '';
    expect(instructions.length).toBeLessThan(800);
    expect(instructions).toMatch(/wait_until:"ready"/);
    expect(instructions).toMatch(/one `execute` with wait_s/);
    expect(instructions).toMatch(/`replace`/);
    expect(instructions).toMatch(/all:true/);
    expect(instructions).toMatch(/bgjobs:\/\/jobs\/\{id\}/);
    expect(instructions).toMatch(/lifetime:"session"/);
    expect(instructions).toMatch(/keep working/);
    expect(instructions).toMatch(/instead of polling/);
    expect(instructions).toMatch(/new_only/);
    expect(instructions).toMatch(/Stop what you started/);
  });
});

/** Looks up a field's published schema in the listing: `property('execute', 'ready')`. */
async function publishedProperties(h: Harness): Promise<(tool: string, field: string) => unknown> {
  const { tools } = await h.client.listTools();
  return (tool, field) => tools.find((t) => t.name === tool)?.inputSchema.properties?.[field];
}

async function findTool(h: Harness, name: string) {
  const { tools } = await h.client.listTools();
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

describe('tools/list as published by default', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('leaves out output schemas and bounds, yet refuses out-of-bounds input and returns structured results', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.every((tool) => tool.outputSchema === undefined)).toBe(true);
    const listing = JSON.stringify(tools);
    for (const keyword of [
      '"$schema"',
      '"maxLength"',
      '"minimum"',
      '"pattern":"',
      '"propertyNames"',
    ]) {
      expect(listing).not.toContain(keyword);
    }
    // What the listing does not publish is still enforced, with the same clear error.
    expect(await h.fails('wait', { job_id: 'x', timeout_s: 51 })).toMatch(/timeout_s/);
    const result = await h.call('list', {});
    expect(result.structuredContent).toMatchObject({ jobs: [], total: 0 });
  });

  it('stays within its budget: the whole listing, and names, descriptions and input schemas', async () => {
    const { tools } = await h.client.listTools();
    const { whole, modelFacing } = listingBytes(tools);
    expect(whole).toBeLessThan(LISTING_BUDGET_KB.whole * 1024);
    expect(modelFacing).toBeLessThan(LISTING_BUDGET_KB.modelFacing * 1024);
  });

  it("publishes no more structure than a model needs, yet every field's type and each top-level refusal of unknown fields", async () => {
    const { tools } = await h.client.listTools();
    type Published = { properties: Record<string, Record<string, unknown>> };
    const schema = (name: string): Published =>
      tools.find((tool) => tool.name === name)!.inputSchema as unknown as Published;
    for (const tool of tools) expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
    const execute = schema('execute');
    // Below the top, additionalProperties false or {} says nothing a model needs; a map's does.
    expect(execute.properties.ready).not.toHaveProperty('additionalProperties');
    expect(execute.properties.jobs?.items).toEqual({ type: 'object' });
    expect(execute.properties.env?.additionalProperties).toEqual({ type: 'string' });
    // A default of 0 goes without saying, like false; others stay.
    expect(execute.properties.wait_s).not.toHaveProperty('default');
    expect(execute.properties.tail_lines?.default).toBe(10);
    // Gemini refuses an enum without its type, so the type stays beside it.
    expect(execute.properties.wait_until).toMatchObject({
      type: 'string',
      enum: ['exit', 'ready', 'input'],
    });
    // One value or an array of them: published as the array, and a single value still works.
    const list = schema('list');
    expect(list.properties.status).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(list.properties.status).not.toHaveProperty('anyOf');
    const result = await h.call('list', { status: 'running' });
    expect(result.isError ?? false).toBe(false);
    // A field another tool describes points there rather than saying it again.
    const prompt = schema('prompt');
    expect(prompt.properties.retries?.description).toBe('As in execute.');
    expect(execute.properties.retries?.description).toMatch(/failure/);
  });

  it('says the fields of an option object in words, yet takes only those fields', async () => {
    const property = await publishedProperties(h);
    const inWords = (names: RegExp) => ({
      type: 'object',
      description: expect.stringMatching(names) as unknown,
    });
    expect(property('execute', 'ready')).toEqual(inWords(/pattern.*port.*url.*fail_pattern/));
    expect(property('execute', 'restart')).toEqual(
      inWords(/policy.*"on-failure".*max_restarts.*\(16\).*min_uptime_s.*stop_exit_codes/),
    );
    expect(property('prompt', 'params')).toEqual(inWords(/max_tokens.*temperature.*stop.*seed/));
    const restart = { policy: 'always', max_restart: 3 };
    expect(await h.fails('execute', { command: 'true', restart })).toMatch(
      /unknown field "max_restart" \(did you mean "max_restarts"\?\)/,
    );
    expect(await h.fails('execute', { command: 'true', restart: {} })).toMatch(/policy/);
    const params = { temprature: 0.2 };
    expect(await h.fails('prompt', { prompt: 'hi', params })).toMatch(/"temperature"/);
  });

  it('leaves out a default its words already say, and still applies it', async () => {
    const property = await publishedProperties(h);
    // The end of the job (wait_s, wait), all of them (wait), a job that outlives the chat.
    for (const [tool, field] of [
      ['execute', 'wait_until'],
      ['execute', 'lifetime'],
      ['wait', 'until'],
      ['wait', 'mode'],
    ] as const) {
      expect(property(tool, field), `${tool}.${field}`).not.toHaveProperty('default');
    }
    const result = await h.call('execute', { command: 'sleep 0.2', wait_s: 20 });
    const started = result.structuredContent as { job_id: string; wait: { fired: string } };
    expect(started.wait.fired).toBe('exited');
    const status = await h.call('status', { job_id: started.job_id });
    expect(status.structuredContent).toMatchObject({ status: 'completed', lifetime: 'persistent' });
  });

  it('says in words what a top-level anyOf would say, since the Anthropic API refuses one', async () => {
    const { tools } = await h.client.listTools();
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
        expect(Object.keys(tool.inputSchema)).not.toContain(keyword);
      }
    }
    const wait = tools.find((tool) => tool.name === 'wait')!;
    const properties = wait.inputSchema.properties as Record<string, { description?: string }>;
    expect(properties.job_id?.description).toMatch(/job_ids.*required/);
    expect(properties.job_ids?.description).toMatch(/instead of job_id/);
    expect(await h.fails('wait', {})).toMatch(/job_id/);
  });
});
