// Proves: the fields that send work to workers on other machines (execute's on and
// env_from_worker, prompt's on) are listed only where the MCP server has BGJOBS_REDIS_URL, and
// are taken either way: without workers, a call with one gets the engine's own answer (no
// worker can be reached; a bad label is still refused as one), never an unknown-field error;
// and with them the listing stays within its budget.
import { describe, expect, it } from 'vitest';

import { LISTING_BUDGET_KB, listingBytes } from '../helpers/listing-size.js';
import { openHarness, type Harness } from './harness.js';

const WORKER_FIELDS = { execute: ['on', 'env_from_worker'], prompt: ['on'] };
const UNUSED_REDIS_URL = 'redis://:unused@127.0.0.1:9';

async function listedFields(h: Harness, name: string): Promise<string[]> {
  const { tools } = await h.client.listTools();
  return Object.keys(tools.find((tool) => tool.name === name)?.inputSchema.properties ?? {});
}

describe('worker fields in tools/list', () => {
  it('are left out without BGJOBS_REDIS_URL, yet still taken and checked', async () => {
    const h = await openHarness();
    try {
      for (const [tool, fields] of Object.entries(WORKER_FIELDS)) {
        const listed = await listedFields(h, tool);
        expect(listed, tool).toContain(tool === 'execute' ? 'command' : 'prompt');
        for (const field of fields) expect(listed, tool).not.toContain(field);
      }
      const noWorker = /no BGJOBS_REDIS_URL/;
      expect(await h.fails('execute', { command: 'true', on: 'gpu' })).toMatch(noWorker);
      const env = { command: 'true', on: 'gpu', env_from_worker: ['HF_TOKEN'] };
      expect(await h.fails('execute', env)).toMatch(noWorker);
      const prompt = { prompt: 'hi', model: 'anthropic:x', on: 'llm' };
      expect(await h.fails('prompt', prompt)).toMatch(noWorker);
      expect(await h.fails('execute', { command: 'true', on: 'Not A Label' })).toMatch(
        /worker label/,
      );
    } finally {
      await h.close();
    }
  });

  it('are listed, with their descriptions, where the server has BGJOBS_REDIS_URL, within the budget', async () => {
    const h = await openHarness('legacy', {
      caller: { env: { BGJOBS_REDIS_URL: UNUSED_REDIS_URL } },
    });
    try {
      const { tools } = await h.client.listTools();
      for (const [name, fields] of Object.entries(WORKER_FIELDS)) {
        const properties = tools.find((tool) => tool.name === name)?.inputSchema.properties ?? {};
        for (const field of fields) {
          const property = properties[field] as { description?: string } | undefined;
          expect(property?.description, `${name}.${field}`).toBeTruthy();
        }
      }
      // The listing with them still fits what a session may pay (tools-listing.test.ts).
      expect(listingBytes(tools).modelFacing).toBeLessThan(LISTING_BUDGET_KB.modelFacing * 1024);
    } finally {
      await h.close();
    }
  });
});
