// Proves, on both protocol eras: the server lists the `bgjobs://jobs` resource and the recent
// jobs, and the two templates (`bgjobs://jobs/{id}`, `…/output`); `bgjobs://jobs` reads as the
// `list` result of every project, `bgjobs://jobs/{id}` as the `status` result (by id or by name),
// `…/output` as the last 200 lines of each stream; reading an unknown job is an invalid-params
// "resource not found" error and the server goes on answering; the `{id}` variable of both
// templates completes job ids and names by prefix.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { listOutputSchema, statusOutputSchema } from '../../src/api/listing.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { ERAS, type Harness, openHarness } from './harness.js';

describe.each(ERAS)('resources (%s era)', (era) => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  async function runToEnd(args: Record<string, unknown>): Promise<string> {
    const { data } = await h.ok('execute', args, executeOutputSchema);
    await h.ok('wait', { job_id: data.job_id }, waitOutputSchema);
    return data.job_id;
  }

  it('lists the jobs resource, the recent jobs and the templates (jobs and agents)', async () => {
    h = await openHarness(era);
    const id = await runToEnd({ command: 'true', name: 'lister' });

    const { resources } = await h.client.listResources();
    expect(resources).toContainEqual(
      expect.objectContaining({ uri: 'bgjobs://jobs', mimeType: 'application/json' }),
    );
    expect(resources).toContainEqual(
      expect.objectContaining({ uri: `bgjobs://jobs/${id}`, name: 'lister' }),
    );

    const { resourceTemplates } = await h.client.listResourceTemplates();
    // The jobs' two, and the background agents' one.
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'bgjobs://agents/{name}',
      'bgjobs://jobs/{id}',
      'bgjobs://jobs/{id}/output',
    ]);
    for (const template of resourceTemplates) expect(template.description).toBeTruthy();
  });

  it('reads the list of every project, a job by id or name, and its last lines', async () => {
    h = await openHarness(era);
    // A job of another project (a folder outside the caller's): the resource lists all projects.
    const elsewhere = join(h.home, 'elsewhere');
    mkdirSync(elsewhere);
    const other = await runToEnd({ command: 'true', cwd: elsewhere });
    const id = await runToEnd({
      command: 'seq 1 300; echo oops >&2; exit 3',
      name: 'counter',
    });

    const list = await readText(h, 'bgjobs://jobs');
    const listed = listOutputSchema.parse(JSON.parse(list.text));
    expect(listed.project).toBeNull();
    expect(listed.jobs.map((j) => j.job_id)).toEqual(expect.arrayContaining([id, other]));
    expect(list.mimeType).toBe('application/json');

    for (const ref of [id, 'counter']) {
      const job = statusOutputSchema.parse(
        JSON.parse((await readText(h, `bgjobs://jobs/${ref}`)).text),
      );
      expect(job).toMatchObject({ job_id: id, name: 'counter', status: 'failed', exit_code: 3 });
    }

    const output = await readText(h, `bgjobs://jobs/${id}/output`);
    expect(output.mimeType).toBe('text/plain');
    expect(output.text).toContain('--- stdout ---\n101\n');
    expect(output.text).toContain('300\n--- stderr ---\noops');
    expect(output.text).not.toMatch(/^100$/m);
  });

  it('answers an unknown job with "resource not found", and keeps serving', async () => {
    h = await openHarness(era);
    for (const uri of ['bgjobs://jobs/zzzzzzzz', 'bgjobs://jobs/no-such-name/output']) {
      const error = await h.client.readResource({ uri }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, uri).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code, uri).toBe(-32602);
      expect((error as ProtocolError).message, uri).toMatch(/zzzzzzzz|no-such-name/);
    }
    const list = await readText(h, 'bgjobs://jobs');
    expect(listOutputSchema.parse(JSON.parse(list.text)).jobs).toEqual([]);
  });

  it('completes job ids and names in both templates by prefix', async () => {
    h = await openHarness(era);
    const id = await runToEnd({ command: 'true', name: 'Web-server' });
    const other = await runToEnd({ command: 'true', name: 'Worker' });

    for (const uri of ['bgjobs://jobs/{id}', 'bgjobs://jobs/{id}/output']) {
      const complete = async (value: string): Promise<string[]> =>
        (
          await h.client.complete({
            ref: { type: 'ref/resource', uri },
            argument: { name: 'id', value },
          })
        ).completion.values;
      expect(await complete(id.slice(0, 3))).toContain(id);
      expect(await complete('W')).toEqual(expect.arrayContaining(['Web-server', 'Worker']));
      expect(await complete('Web')).toEqual(['Web-server']);
      expect(await complete(other)).toEqual([other]);
      expect(await complete('nothing-starts-so')).toEqual([]);
    }
  });
});

async function readText(
  h: Harness,
  uri: string,
): Promise<{ text: string; mimeType: string | undefined }> {
  const { contents } = await h.client.readResource({ uri });
  expect(contents).toHaveLength(1);
  const [content] = contents;
  if (content === undefined || !('text' in content)) throw new Error(`${uri} has no text`);
  expect(content.uri).toBe(uri);
  return { text: content.text, mimeType: content.mimeType };
}
